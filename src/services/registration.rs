//! Self-registration with email and password, and email verification.
use crate::domain::audit::Actor;
use crate::domain::{
    ConnectionId, DisplayName, Email, EmailToken, NewPassword, Organization, OrganizationId, Role,
    TokenPurpose, User, UserId,
};
use crate::email::messages::{AlreadyRegistered, VerifyEmail};
use crate::services::organizations::{self, NewOrganization};
use crate::state::AppState;
use crate::store::{Tx, email_tokens, is_unique_violation, memberships, sessions, users};

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
    // Slugs are public, so the slug is checked first, for everyone: the answer must not depend
    // on whether the email has an account.
    let founding = match &joining {
        Joining::NewOrganization(new, _) => Some(&new.slug),
        _ => None,
    };
    if let Some(slug) = founding
        && !organizations::slug_available(&mut tx, slug).await?
    {
        return Ok(SignUpOutcome::SlugTaken);
    }
    let user = match users::find_by_email(&mut *tx, &connection, &input.email).await? {
        Some(existing) if existing.email_verified => {
            let base = match &joining {
                Joining::Organization(org) => format!("/o/{}", org.slug),
                Joining::Nothing | Joining::NewOrganization(..) => String::new(),
            };
            let mail = AlreadyRegistered {
                name: existing.name.to_string(),
                login_link: state.links.login(&base),
                reset_link: state.links.forgot_password(&base),
            };
            state.mail.enqueue(&mut *tx, &existing.email, &mail).await?;
            None
        }
        // Whoever proves the mailbox owns the account: the password typed now replaces any
        // earlier one, so that nobody can register someone else's address first and keep a
        // password on the account its owner is about to verify.
        Some(unverified) => {
            users::update_password_hash(&mut *tx, &unverified.id, &hash).await?;
            users::update_name(&mut *tx, &unverified.id, &input.name).await?;
            sessions::delete_for_user(&mut *tx, &unverified.id).await?;
            Some(unverified)
        }
        None => {
            let form = users::UserInsertForm {
                connection_id: &connection,
                email: &input.email,
                name: &input.name,
                password_hash: &hash,
                email_verified: false,
                operator: false,
            };
            match users::insert(&mut *tx, form).await {
                Ok(user) => Some(user),
                // The same form sent twice at once: the other request registered the account
                // and sent the link.
                Err(err) if is_unique_violation(&err) => return Ok(SignUpOutcome::CheckEmail),
                Err(err) => return Err(err.into()),
            }
        }
    };
    if let Some(user) = user {
        let joined = join(&mut tx, &joining, &user, &input.client_ip).await?;
        if let Some(org) = joined {
            // After verifying, the person lands in this organization.
            users::set_last_organization(&mut *tx, &user.id, &org).await?;
        }
        send_verification(state, &mut tx, &user).await?;
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(SignUpOutcome::CheckEmail)
}

/// Adds the new account to what it joins; the organization it joined, if any.
async fn join(
    tx: &mut Tx,
    joining: &Joining<'_>,
    user: &User,
    client_ip: &str,
) -> anyhow::Result<Option<OrganizationId>> {
    let actor = Actor::user(user, client_ip);
    match joining {
        Joining::Nothing => Ok(None),
        Joining::Organization(org) => {
            if memberships::find_role(&mut **tx, &org.id, &user.id)
                .await?
                .is_none()
            {
                organizations::add_member_in(tx, &actor, org, &user.id, Role::Member).await?;
            }
            Ok(Some(org.id.clone()))
        }
        Joining::NewOrganization(new, founder) => {
            let Ok(org) = organizations::create_in(tx, founder, new).await? else {
                anyhow::bail!(
                    "slug {} was taken within the transaction that checked it",
                    new.slug
                );
            };
            organizations::add_member_in(tx, founder, &org, &user.id, Role::Owner).await?;
            Ok(Some(org.id))
        }
    }
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

/// True while a verification link can still be used (it is not used up by looking).
pub async fn verification_pending(state: &AppState, token: &EmailToken) -> anyhow::Result<bool> {
    let owner =
        email_tokens::find_valid(state.store.pool(), token, TokenPurpose::VerifyEmail).await?;
    Ok(owner.is_some())
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
