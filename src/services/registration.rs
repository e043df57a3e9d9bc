//! Self-registration with email and password, and email verification.
//!
//! A sign-up is kept apart from accounts until its mailbox is proved: whoever types an
//! address gets a pending sign-up of their own, with their own link, and nothing else. The
//! account (and the organization or membership asked for) is created when the link is used,
//! in the browser that signed up, or elsewhere by typing that sign-up's password again or
//! choosing a new one. So nobody can register someone else's address first and keep a
//! password on the account its owner is about to verify, nor replace the one its owner typed.
use subtle::ConstantTimeEq;

use crate::domain::audit::Actor;
use crate::domain::{
    BrowserId, ConnectionId, DisplayName, Email, EmailToken, JoinPolicy, MembershipMode,
    NewPassword, OrgName, Organization, OrganizationId, PendingSignup, Role, SignupIntent, Slug,
    User,
};
use crate::email::messages::{AlreadyRegistered, VerifyEmail};
use crate::services::domains;
use crate::services::organizations::{self, NewOrganization};
use crate::services::throttle::{self, UnsolicitedMail};
use crate::services::{Conflict, Error, Result};
use crate::state::AppState;
use crate::store::organizations as org_store;
use crate::store::signups::{self, SignupInsertForm};
use crate::store::{Tx, is_unique_violation, sessions, users};

pub struct SignUp {
    pub name: DisplayName,
    pub email: Email,
    pub password: NewPassword,
    /// Where the request came from, for the audit log.
    pub client_ip: String,
}

/// What a new account joins once it is verified.
pub enum Joining<'a> {
    /// Nothing: a plain account on the shared connection.
    Nothing,
    /// An organization that allows self sign-up, as a member; the account lives in the
    /// organization's password connection (its own, when it is isolated).
    Organization(&'a Organization),
    /// A new organization the person founds and owns (the self-signup portal).
    NewOrganization { name: OrgName, slug: Slug },
}

/// Records a pending sign-up and mails its verification link. If the email is already
/// registered in that connection, the owner is mailed instead and the caller cannot tell the
/// difference: the same work (one hash, one queued email) happens either way. A founding whose
/// slug is in use is `Conflict::SlugTaken`.
pub async fn sign_up(
    state: &AppState,
    input: SignUp,
    joining: Joining<'_>,
    browser: &BrowserId,
) -> Result<()> {
    let hash = state.passwords.hash(&input.password).await?;
    let (connection, intent) = match joining {
        Joining::Nothing => (ConnectionId::default_password(), SignupIntent::Account),
        Joining::Organization(org) => (
            org.connection_id.clone(),
            SignupIntent::Join(org.id.clone()),
        ),
        Joining::NewOrganization { name, slug } => (
            ConnectionId::default_password(),
            SignupIntent::Found { name, slug },
        ),
    };
    let mut tx = state.store.begin().await?;
    // Slugs are public, so the slug is checked first, for everyone: the answer must not depend
    // on whether the email has an account. It is not held: the first verified founder gets it.
    if let SignupIntent::Found { slug, .. } = &intent
        && !organizations::slug_available(&mut tx, slug).await?
    {
        return Err(Error::Conflict(Conflict::SlugTaken));
    }
    if throttle::allow_mail_to(
        state,
        &mut tx,
        &connection,
        &input.email,
        UnsolicitedMail::SignUp,
    )
    .await?
    {
        match users::find_by_email(&mut *tx, &connection, &input.email).await? {
            Some(existing) => {
                let realm = realm_of(&mut tx, &intent).await?;
                let mail = AlreadyRegistered {
                    name: existing.name.to_string(),
                    login_link: state.links.login(realm.as_ref()),
                    reset_link: state.links.forgot_password(realm.as_ref()),
                };
                state.mail.enqueue(&mut *tx, &existing.email, &mail).await?;
            }
            None => {
                let token = EmailToken::generate();
                let form = SignupInsertForm {
                    connection_id: &connection,
                    email: &input.email,
                    name: &input.name,
                    password_hash: &hash,
                    token: &token,
                    browser_hash: &browser.hash(),
                    intent: &intent,
                    client_ip: &input.client_ip,
                };
                signups::insert(&mut *tx, form).await?;
                let mail = VerifyEmail {
                    link: state.links.verify_email(&token),
                };
                state.mail.enqueue(&mut *tx, &input.email, &mail).await?;
            }
        }
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// The pages an already-registered person is pointed to: their organization's, for a sign-up
/// on an organization's page.
async fn realm_of(tx: &mut Tx, intent: &SignupIntent) -> Result<Option<Slug>> {
    let SignupIntent::Join(org) = intent else {
        return Ok(None);
    };
    let org = org_store::find_by_id(&mut **tx, org).await?;
    Ok(org.map(|org| org.slug))
}

/// Mails a new link for the newest pending sign-up of an address that this browser made (that
/// sign-up's earlier link stops working); does nothing otherwise, so that the answer never
/// reveals whether an address is registered, and nobody can touch another's sign-up.
pub async fn resend_verification(
    state: &AppState,
    connection: &ConnectionId,
    email: &Email,
    browser: &BrowserId,
) -> Result<()> {
    let mut tx = state.store.begin().await?;
    let pending =
        signups::find_latest_made_in(&mut *tx, connection, email, &browser.hash()).await?;
    if let Some(signup) = pending
        && throttle::allow_mail_to(state, &mut tx, connection, email, UnsolicitedMail::SignUp)
            .await?
    {
        let token = EmailToken::generate();
        signups::replace_token(&mut *tx, &signup.id, &token).await?;
        let mail = VerifyEmail {
            link: state.links.verify_email(&token),
        };
        state.mail.enqueue(&mut *tx, email, &mail).await?;
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// What a pending sign-up asks for besides the account, in words for the person who verifies
/// it elsewhere: they may not be the one who typed it.
pub async fn intent_in_words(state: &AppState, signup: &PendingSignup) -> Result<Option<String>> {
    Ok(match &signup.intent {
        SignupIntent::Account => None,
        SignupIntent::Join(org) => org_store::find_by_id(state.store.pool(), org)
            .await?
            .map(|org| format!("join {}", org.name)),
        SignupIntent::Found { name, slug } => Some(format!(
            "create the organization {} (/o/{slug})",
            name.as_str()
        )),
    })
}

/// The sign-up behind a verification link while it can still be used (looking does not use
/// it up).
pub async fn pending(state: &AppState, token: &EmailToken) -> Result<Option<PendingSignup>> {
    Ok(signups::find_pending(state.store.pool(), token).await?)
}

/// True when `browser` is the one that made the sign-up.
pub fn made_in(signup: &PendingSignup, browser: &BrowserId) -> bool {
    bool::from(
        signup
            .browser_hash
            .as_bytes()
            .ct_eq(browser.hash().as_bytes()),
    )
}

/// How the holder of a verification link shows that the sign-up is theirs.
pub enum Proof<'a> {
    /// The link was opened in the browser that signed up.
    SameBrowser(&'a BrowserId),
    /// The password chosen at sign-up, typed again.
    Password(&'a str),
    /// A new password: the link proves the mailbox, and the mailbox owner may choose it, the
    /// name, and whether what the sign-up asked for (an organization) is wanted at all.
    NewPassword {
        password: NewPassword,
        name: DisplayName,
        keep_intent: bool,
    },
}

pub enum VerifyOutcome {
    Verified(Verified),
    /// Opened in another browser: the sign-up's password (or a new one) is needed.
    OtherBrowser,
    WrongPassword,
    /// Used, expired, or the address got its account another way meanwhile.
    LinkUsed,
}

/// A verified sign-up: the new account, and where it lands.
pub struct Verified {
    pub user: User,
    /// The organization it joined or founded.
    pub organization: Option<(OrganizationId, Slug)>,
    /// The organization address the founder chose was taken before they verified.
    pub slug_taken: bool,
}

/// Uses a verification link up and creates what the sign-up asked for, in one transaction:
/// the account (verified), the membership or the founded organization with its audit events.
/// Every other pending sign-up of the address is voided.
pub async fn verify(
    state: &AppState,
    token: &EmailToken,
    proof: Proof<'_>,
    client_ip: &str,
) -> Result<VerifyOutcome> {
    let Some(signup) = pending(state, token).await? else {
        return Ok(VerifyOutcome::LinkUsed);
    };
    let (hash, name, intent) = match proof {
        Proof::SameBrowser(browser) if made_in(&signup, browser) => (
            signup.password_hash.clone(),
            signup.name.clone(),
            signup.intent.clone(),
        ),
        Proof::SameBrowser(_) => return Ok(VerifyOutcome::OtherBrowser),
        Proof::Password(password) => {
            if !state
                .passwords
                .verify(password, Some(&signup.password_hash))
                .await?
            {
                return Ok(VerifyOutcome::WrongPassword);
            }
            (
                signup.password_hash.clone(),
                signup.name.clone(),
                signup.intent.clone(),
            )
        }
        Proof::NewPassword {
            password,
            name,
            keep_intent,
        } => {
            let intent = match keep_intent {
                true => signup.intent.clone(),
                false => SignupIntent::Account,
            };
            (state.passwords.hash(&password).await?, name, intent)
        }
    };
    let mut tx = state.store.begin().await?;
    if !signups::consume(&mut *tx, &signup.id).await? {
        return Ok(VerifyOutcome::LinkUsed);
    }
    let form = users::UserInsertForm {
        connection_id: &signup.connection_id,
        email: &signup.email,
        name: &name,
        password_hash: Some(&hash),
        email_verified: true,
        operator: false,
    };
    let user = match users::insert(&mut *tx, form).await {
        Ok(user) => user,
        // The address has an account already (an invitation, a faster link): this sign-up
        // is void, and its password never reaches that account.
        Err(err) if is_unique_violation(&err) => return Ok(VerifyOutcome::LinkUsed),
        Err(err) => return Err(err.into()),
    };
    signups::void_for_address(&mut *tx, &signup.connection_id, &signup.email).await?;
    sessions::delete_for_user(&mut *tx, &user.id).await?;
    // Guesses at the address before it had an account must not lock the new account.
    let identifier = throttle::sign_in_identifier(&signup.connection_id, &signup.email);
    throttle::clear_account(&mut tx, &identifier).await?;
    let actor = Actor::user(&user, client_ip);
    let (organization, slug_taken) = create_intent(&mut tx, &intent, &user, &actor).await?;
    if let Some((org, _)) = &organization {
        users::set_last_organization(&mut *tx, &user.id, org).await?;
    }
    tx.commit().await?;
    Ok(VerifyOutcome::Verified(Verified {
        user,
        organization,
        slug_taken,
    }))
}

/// Creates the membership or organization a verified sign-up asked for; an organization
/// that closed its sign-up (or no longer admits the address) meanwhile is not joined, a slug
/// taken meanwhile is reported.
async fn create_intent(
    tx: &mut Tx,
    intent: &SignupIntent,
    user: &User,
    actor: &Actor,
) -> Result<(Option<(OrganizationId, Slug)>, bool)> {
    match intent {
        SignupIntent::Account => Ok((None, false)),
        SignupIntent::Join(org_id) => {
            let org = org_store::find_by_id(&mut **tx, org_id).await?;
            let Some(org) = org.filter(|org| org.join_policy.opens_sign_up()) else {
                return Ok((None, false));
            };
            // Under auto-join the address must still be at one of its verified domains: one
            // may have been removed or withdrawn since the sign-up.
            if !domains::admits_in(tx, &org, &user.email).await? {
                return Ok((None, false));
            }
            organizations::add_member_in(tx, actor, &org, user, Role::Member).await?;
            Ok((Some((org.id, org.slug)), false))
        }
        SignupIntent::Found { name, slug } => {
            let new = NewOrganization {
                name: name.clone(),
                slug: slug.clone(),
                mode: MembershipMode::Shared,
                connections: Vec::new(),
                join_policy: JoinPolicy::InvitationOnly,
            };
            match organizations::create_in(tx, actor, &new).await {
                Ok(org) => {
                    organizations::add_member_in(tx, actor, &org, user, Role::Owner).await?;
                    Ok((Some((org.id, org.slug)), false))
                }
                Err(Error::Conflict(Conflict::SlugTaken)) => Ok((None, true)),
                Err(err) => Err(err),
            }
        }
    }
}
