//! Self-registration with email and password, and email verification.
use crate::domain::audit::Actor;
use crate::domain::{
    ConnectionId, DisplayName, Email, EmailToken, NewPassword, Organization, Role, TokenPurpose,
    User, UserId,
};
use crate::email::messages::{AlreadyRegistered, VerifyEmail};
use crate::services::organizations::{self, NewOrganization};
use crate::state::AppState;
use crate::store::{Tx, email_tokens, users};

pub struct SignUp {
    pub name: DisplayName,
    pub email: Email,
    pub password: NewPassword,
    /// Where the request came from, for the audit log.
    pub client_ip: String,
}

/// What a new account joins as it is created.
pub enum Joining<'a> {
    /// Nothing: a plain account on the shared connection.
    Nothing,
    /// An organization that allows self sign-up, as a member; the account lives in the
    /// organization's password connection (its own, when it is isolated).
    Organization(&'a Organization),
    /// A new organization the person founds and owns (the self-signup portal).
    NewOrganization(&'a NewOrganization, &'a Actor),
}

pub enum SignUpOutcome {
    /// The same answer whether or not the email was registered: check your email.
    CheckEmail,
    SlugTaken,
}

/// Registers a new, unverified account and mails a verification link. If the email is
/// already registered in that connection, the owner is mailed instead and the caller cannot
/// tell the difference: the same work (one hash, one queued email) happens either way.
pub async fn sign_up(
    state: &AppState,
    input: SignUp,
    joining: Joining<'_>,
) -> anyhow::Result<SignUpOutcome> {
    let hash = state.passwords.hash(&input.password).await?;
    let connection = match &joining {
        Joining::Organization(org) => org.connection_id.clone(),
        Joining::Nothing | Joining::NewOrganization(..) => ConnectionId::default_password(),
    };
    let mut tx = state.store.begin().await?;
    match users::find_by_email(&mut *tx, &connection, &input.email).await? {
        Some(existing) if existing.email_verified => {
            let mail = AlreadyRegistered {
                name: existing.name.to_string(),
                login_link: state.links.login(),
                reset_link: state.links.forgot_password(),
            };
            state.mail.enqueue(&mut *tx, &existing.email, &mail).await?;
        }
        // Not verified yet: a fresh link is what the person needs, whoever typed the form.
        Some(unverified) => send_verification(state, &mut tx, &unverified).await?,
        None => {
            let form = users::UserInsertForm {
                connection_id: &connection,
                email: &input.email,
                name: &input.name,
                password_hash: &hash,
                email_verified: false,
                operator: false,
            };
            let user = users::insert(&mut *tx, form).await?;
            let actor = Actor {
                user_id: Some(user.id.clone()),
                email: Some(user.email.to_string()),
                client_ip: Some(input.client_ip.clone()),
            };
            let org = match joining {
                Joining::Nothing => None,
                Joining::Organization(org) => {
                    organizations::add_member_in(&mut tx, &actor, org, &user.id, Role::Member)
                        .await?;
                    Some(org.clone())
                }
                Joining::NewOrganization(new, actor) => {
                    let Ok(org) = organizations::create_in(&mut tx, actor, new).await? else {
                        return Ok(SignUpOutcome::SlugTaken);
                    };
                    organizations::add_member_in(&mut tx, actor, &org, &user.id, Role::Owner)
                        .await?;
                    Some(org)
                }
            };
            if let Some(org) = org {
                // After verifying, the person lands in this organization.
                users::set_last_organization(&mut *tx, &user.id, &org.id).await?;
            }
            send_verification(state, &mut tx, &user).await?;
        }
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(SignUpOutcome::CheckEmail)
}

/// Mails a new verification link to an unverified account; does nothing otherwise, so that
/// the answer never reveals whether an address is registered.
pub async fn resend_verification(
    state: &AppState,
    connection: &ConnectionId,
    email: &Email,
) -> anyhow::Result<()> {
    let mut tx = state.store.begin().await?;
    let user = users::find_by_email(&mut *tx, connection, email).await?;
    if let Some(user) = user.filter(|u| !u.email_verified) {
        send_verification(state, &mut tx, &user).await?;
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// Uses up a verification token and marks the address verified; `None` when the link is
/// unknown, used, expired or replaced by a newer one.
pub async fn verify_email(state: &AppState, token: &EmailToken) -> anyhow::Result<Option<UserId>> {
    let mut tx = state.store.begin().await?;
    let Some(owner) = email_tokens::consume(&mut *tx, token, TokenPurpose::VerifyEmail).await?
    else {
        return Ok(None);
    };
    let Some(user_id) = owner.user_id() else {
        return Ok(None);
    };
    users::mark_email_verified(&mut *tx, &user_id).await?;
    tx.commit().await?;
    Ok(Some(user_id))
}

async fn send_verification(state: &AppState, tx: &mut Tx, user: &User) -> anyhow::Result<()> {
    let token = EmailToken::generate();
    email_tokens::void_unused(&mut **tx, &user.id, TokenPurpose::VerifyEmail).await?;
    email_tokens::insert(
        &mut **tx,
        &token,
        TokenPurpose::VerifyEmail,
        Some(&user.id),
        user.email.as_str(),
    )
    .await?;
    let mail = VerifyEmail {
        name: user.name.to_string(),
        link: state.links.verify_email(&token),
    };
    state.mail.enqueue(&mut **tx, &user.email, &mail).await?;
    Ok(())
}
