//! Forgotten passwords: a one-hour, single-use link by email.
use crate::domain::{ConnectionId, Email, EmailToken, NewPassword, TokenPurpose, User};
use crate::email::messages::ResetPassword;
use crate::services::throttle::{self, UnsolicitedMail};
use crate::services::{Result, account};
use crate::state::AppState;
use crate::store::{Tx, email_tokens, users};

/// Mails a reset link if the account exists. The caller answers the same either way.
pub async fn request_reset(
    state: &AppState,
    connection: &ConnectionId,
    email: &Email,
) -> Result<()> {
    let mut tx = state.store.begin().await?;
    let user = users::find_by_email(&mut *tx, connection, email).await?;
    if let Some(user) = user
        && throttle::allow_mail_to(state, &mut tx, connection, email, UnsolicitedMail::Reset)
            .await?
    {
        let mail = ResetPassword {
            name: user.name.to_string(),
            link: reset_link(state, &mut tx, &user).await?,
        };
        state.mail.enqueue(&mut *tx, &user.email, &mail).await?;
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// A new reset link for `user`, in the caller's transaction; the links sent before stop working.
pub async fn reset_link(state: &AppState, tx: &mut Tx, user: &User) -> Result<String> {
    let token = EmailToken::generate();
    email_tokens::void_unused(&mut **tx, &user.id, TokenPurpose::ResetPassword).await?;
    email_tokens::insert(
        &mut **tx,
        &token,
        TokenPurpose::ResetPassword,
        Some(&user.id),
        user.email.as_str(),
    )
    .await?;
    Ok(state.links.reset_password(&token))
}

/// The account a reset link is for, while the link is still usable (it is not used up).
pub async fn pending_reset(state: &AppState, token: &EmailToken) -> Result<Option<User>> {
    let owner =
        email_tokens::find_valid(state.store.pool(), token, TokenPurpose::ResetPassword).await?;
    let Some(user_id) = owner.and_then(|owner| owner.user_id()) else {
        return Ok(None);
    };
    Ok(users::find_by_id(state.store.pool(), &user_id).await?)
}

/// Sets a new password through a reset link. Atomically uses up the link, ends every
/// session of the account and lifts its sign-in backoff. False when the link was used or
/// expired in the meantime; then nothing changes.
pub async fn reset_password(
    state: &AppState,
    token: &EmailToken,
    user: &User,
    password: &NewPassword,
) -> Result<bool> {
    let hash = state.passwords.hash(password).await?;
    let mut tx = state.store.begin().await?;
    let owner = email_tokens::consume(&mut *tx, token, TokenPurpose::ResetPassword).await?;
    if owner.and_then(|owner| owner.user_id()).as_ref() != Some(&user.id) {
        return Ok(false);
    }
    account::replace_password(state, &mut tx, user, &hash).await?;
    // The link reached the mailbox, which proves the address.
    users::mark_email_verified(&mut *tx, &user.id).await?;
    // The owner proved the mailbox: the account's backoff and lock are lifted with the reset.
    let identifier = throttle::sign_in_identifier(&user.connection_id, &user.email);
    throttle::clear_account(&mut tx, &identifier).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(true)
}

/// The account an unlock link is for, while the link is usable (looking does not use it up).
pub async fn pending_unlock(state: &AppState, token: &EmailToken) -> Result<Option<User>> {
    let owner =
        email_tokens::find_valid(state.store.pool(), token, TokenPurpose::UnlockAccount).await?;
    let Some(user_id) = owner.and_then(|owner| owner.user_id()) else {
        return Ok(None);
    };
    Ok(users::find_by_id(state.store.pool(), &user_id).await?)
}

/// Uses an unlock link up and lifts the account's lock and backoff: the mailbox is proved.
/// The user it was for; `None` when the link was used or expired meanwhile.
pub async fn unlock(state: &AppState, token: &EmailToken) -> Result<Option<User>> {
    let mut tx = state.store.begin().await?;
    let owner = email_tokens::consume(&mut *tx, token, TokenPurpose::UnlockAccount).await?;
    let Some(user_id) = owner.and_then(|owner| owner.user_id()) else {
        return Ok(None);
    };
    let Some(user) = users::find_by_id(&mut *tx, &user_id).await? else {
        return Ok(None);
    };
    let identifier = throttle::sign_in_identifier(&user.connection_id, &user.email);
    throttle::clear_account(&mut tx, &identifier).await?;
    tx.commit().await?;
    Ok(Some(user))
}
