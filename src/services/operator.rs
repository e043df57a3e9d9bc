//! The first platform operator, created through a one-time link printed at start-up.
use crate::domain::{
    ConnectionId, DisplayName, Email, EmailToken, NewPassword, TokenPurpose, User,
};
use crate::services::{Conflict, Error, Result};
use crate::state::AppState;
use crate::store::{email_tokens, is_unique_violation, users};

/// A fresh one-time setup link while the deployment has no operator; `None` afterwards.
pub async fn setup_link(state: &AppState) -> Result<Option<String>> {
    if users::operator_exists(state.store.pool()).await? {
        return Ok(None);
    }
    let token = EmailToken::generate();
    let mut tx = state.store.begin().await?;
    // Only the newest link works: one printed by an earlier start is void.
    email_tokens::void_purpose(&mut *tx, TokenPurpose::OperatorSetup).await?;
    email_tokens::insert(&mut *tx, &token, TokenPurpose::OperatorSetup, None, "").await?;
    tx.commit().await?;
    Ok(Some(state.links.operator_setup(&token)))
}

/// True while the link can still create the first operator.
pub async fn setup_link_usable(state: &AppState, token: &EmailToken) -> Result<bool> {
    let valid =
        email_tokens::find_valid(state.store.pool(), token, TokenPurpose::OperatorSetup).await?;
    Ok(valid.is_some() && !users::operator_exists(state.store.pool()).await?)
}

/// Creates the first operator (verified: the link came from the server console) and uses the
/// link up, in one transaction. `NotFound` when the link is used up (or an operator exists),
/// `Conflict::EmailTaken` when an account uses the address.
pub async fn create_first_operator(
    state: &AppState,
    token: &EmailToken,
    name: &DisplayName,
    email: &Email,
    password: &NewPassword,
) -> Result<User> {
    let hash = state.passwords.hash(password).await?;
    let mut tx = state.store.begin().await?;
    if email_tokens::consume(&mut *tx, token, TokenPurpose::OperatorSetup)
        .await?
        .is_none()
        || users::operator_exists(&mut *tx).await?
    {
        return Err(Error::NotFound);
    }
    let form = users::UserInsertForm {
        connection_id: &ConnectionId::default_password(),
        email,
        name,
        password_hash: Some(&hash),
        email_verified: true,
        operator: true,
    };
    let user = match users::insert(&mut *tx, form).await {
        Ok(user) => user,
        Err(err) if is_unique_violation(&err) => return Err(Error::Conflict(Conflict::EmailTaken)),
        Err(err) => return Err(err.into()),
    };
    tx.commit().await?;
    Ok(user)
}
