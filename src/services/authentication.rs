//! Password sign-in, and confirming a signed-in user's password, both behind the throttles.
use crate::credentials::Verdict;
use crate::domain::{ConnectionId, Email, EmailToken, TokenPurpose, User};
use crate::email::messages::{ConfirmEmail, UnlockAccount};
use crate::services::Result;
use crate::services::legacy::{self, sign_in::LegacySignIn};
use crate::services::recovery;
use crate::services::throttle::{self, Attempt, Gate};
use crate::state::AppState;
use crate::store::{email_tokens, users};

pub enum SignInOutcome {
    SignedIn(User),
    /// Too many failed sign-ins: the account is locked for browsers it does not know.
    Locked,
    /// Unknown email, wrong password, or a sign-up not verified yet: deliberately
    /// indistinguishable.
    Rejected,
    /// The legacy store that keeps or may know the account could not be asked.
    LegacyStoreUnavailable,
    /// The password is right, but the account's address was never proved (it came over from
    /// another system so): a link that confirms it and sets a new password was mailed to it.
    EmailUnconfirmed(User),
}

/// Checks email and password. Unknown accounts are checked against a dummy hash so that the
/// answer takes as long as for a real one; every attempt counts toward the throttles, and the
/// one that locks an account mails its owner an unlock link.
pub async fn sign_in(
    state: &AppState,
    connection: &ConnectionId,
    email: &Email,
    password: &str,
    attempt: Attempt<'_>,
) -> Result<SignInOutcome> {
    let identifier = throttle::sign_in_identifier(connection, email);
    let gate = throttle::check_sign_in(state, &identifier, attempt).await?;
    let user = users::find_by_email(state.store.pool(), connection, email).await?;
    let record = match gate {
        Gate::Open(record) => record,
        Gate::Locked { just_locked } => {
            if let Some(user) = user.filter(|_| just_locked) {
                mail_unlock_link(state, &user).await?;
            }
            return Ok(SignInOutcome::Locked);
        }
    };
    let (user, verdict) = match check_password(state, connection, email, password, user).await? {
        Checked::Local(user, verdict) => (user, verdict),
        Checked::Legacy(LegacySignIn::SignedIn(user)) => (
            Some(user),
            Verdict::Matches {
                needs_rehash: false,
            },
        ),
        Checked::Legacy(LegacySignIn::Rejected) => {
            // As long as a rejection of Usher's own: a fast legacy hash says nothing either.
            state.passwords.check(password, None).await?;
            (None, Verdict::DoesNotMatch)
        }
        // Not the person's fault: nothing counts against the account.
        Checked::Legacy(LegacySignIn::Unavailable(_)) => {
            throttle::withdraw_sign_in(state, &identifier).await?;
            return Ok(SignInOutcome::LegacyStoreUnavailable);
        }
    };
    match user {
        Some(user) if verdict.matches() && !user.blocked && user.email_verified => {
            throttle::record_successful_sign_in(state, record, &identifier, attempt).await?;
            if let Verdict::Matches { needs_rehash: true } = verdict {
                rehash(state, &user, password).await?;
            }
            Ok(SignInOutcome::SignedIn(user))
        }
        // The right password for an account that came over from another system with its
        // address never proved: the mailbox must answer first, and whoever answers it sets
        // the password (one typed by someone who never proved the mailbox does not survive).
        Some(user) if verdict.matches() && !user.blocked => {
            throttle::withdraw_sign_in(state, &identifier).await?;
            if let Verdict::Matches { needs_rehash: true } = verdict {
                rehash(state, &user, password).await?;
            }
            mail_confirmation_link(state, &user).await?;
            Ok(SignInOutcome::EmailUnconfirmed(user))
        }
        _ => {
            throttle::record_failed_sign_in(state, record, &identifier, attempt).await?;
            Ok(SignInOutcome::Rejected)
        }
    }
}

enum Checked {
    Local(Option<User>, Verdict),
    Legacy(LegacySignIn),
}

/// Checks the password where it lives: Usher's own hash, or the legacy store that keeps it
/// (proxy mode) or may know an email Usher does not (a store enabled at this connection).
async fn check_password(
    state: &AppState,
    connection: &ConnectionId,
    email: &Email,
    password: &str,
    user: Option<User>,
) -> Result<Checked> {
    let legacy = match &user {
        None => legacy::sign_in::unknown_email(state, connection, email, password).await?,
        Some(user) if user.password_hash.is_none() => {
            legacy::sign_in::proxied(state, user, password).await?
        }
        Some(_) => None,
    };
    if let Some(answer) = legacy {
        return Ok(Checked::Legacy(answer));
    }
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    let verdict = state.passwords.check(password, stored).await?;
    Ok(Checked::Local(user, verdict))
}

pub enum Confirmation {
    Confirmed,
    Wrong,
    Locked,
    /// The legacy store that keeps the password (proxy mode) could not be asked.
    LegacyStoreUnavailable,
}

/// Checks a signed-in user's current password (before a change): throttled and counted like
/// a sign-in, so a stolen session cannot guess its way to the password.
pub async fn confirm_password(
    state: &AppState,
    user: &User,
    password: &str,
    attempt: Attempt<'_>,
) -> Result<Confirmation> {
    let identifier = throttle::sign_in_identifier(&user.connection_id, &user.email);
    let record = match throttle::check_sign_in(state, &identifier, attempt).await? {
        Gate::Open(record) => record,
        Gate::Locked { just_locked } => {
            if just_locked {
                mail_unlock_link(state, user).await?;
            }
            return Ok(Confirmation::Locked);
        }
    };
    let stored = user.password_hash.as_deref();
    let confirmed = match stored {
        Some(_) => state.passwords.verify(password, stored).await?,
        // A proxied user's password is the legacy store's to check.
        None => match legacy::sign_in::proxied(state, user, password).await? {
            Some(LegacySignIn::SignedIn(_)) => true,
            Some(LegacySignIn::Unavailable(_)) => {
                throttle::withdraw_sign_in(state, &identifier).await?;
                return Ok(Confirmation::LegacyStoreUnavailable);
            }
            Some(LegacySignIn::Rejected) | None => false,
        },
    };
    if confirmed {
        throttle::record_successful_sign_in(state, record, &identifier, attempt).await?;
        return Ok(Confirmation::Confirmed);
    }
    throttle::record_failed_sign_in(state, record, &identifier, attempt).await?;
    Ok(Confirmation::Wrong)
}

/// Replaces a hash of an older kind (one a migrated user brought, or argon2id with weaker
/// settings) with Usher's current argon2id of the password that just matched it.
async fn rehash(state: &AppState, user: &User, password: &str) -> Result<()> {
    let hash = state.passwords.rehash(password).await?;
    users::update_password_hash(state.store.pool(), &user.id, &hash).await?;
    tracing::info!(user = %user.id, "password hash upgraded to argon2id");
    Ok(())
}

/// Mails a link that proves the account's address and sets its password (a reset link),
/// unless the address had its share of such mails lately.
async fn mail_confirmation_link(state: &AppState, user: &User) -> Result<()> {
    let mut tx = state.store.begin().await?;
    let kind = throttle::UnsolicitedMail::Reset;
    if !throttle::allow_mail_to(state, &mut tx, &user.connection_id, &user.email, kind).await? {
        tx.commit().await?;
        return Ok(());
    }
    let mail = ConfirmEmail {
        name: user.name.to_string(),
        link: recovery::reset_link(state, &mut tx, user).await?,
    };
    state.mail.enqueue(&mut *tx, &user.email, &mail).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// Tells the owner of a just-locked account, with a link that proves the mailbox and unlocks.
async fn mail_unlock_link(state: &AppState, user: &User) -> Result<()> {
    let token = EmailToken::generate();
    let mut tx = state.store.begin().await?;
    email_tokens::void_unused(&mut *tx, &user.id, TokenPurpose::UnlockAccount).await?;
    email_tokens::insert(
        &mut *tx,
        &token,
        TokenPurpose::UnlockAccount,
        Some(&user.id),
        user.email.as_str(),
    )
    .await?;
    let mail = UnlockAccount {
        name: user.name.to_string(),
        link: state.links.unlock_account(&token),
    };
    state.mail.enqueue(&mut *tx, &user.email, &mail).await?;
    tx.commit().await?;
    state.mail.wake();
    tracing::warn!(user = %user.id, "account locked after {} failed sign-ins", throttle::ACCOUNT_FAILURE_LIMIT);
    Ok(())
}
