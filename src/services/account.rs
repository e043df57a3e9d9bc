//! A signed-in user's own account: name and password.
use crate::domain::TokenPurpose;
use crate::domain::{DisplayName, NewPassword, User, UserId};
use crate::email::messages::PasswordChanged;
use crate::services::{Result, landing, throttle};
use crate::state::AppState;
use crate::store::{Tx, email_tokens, sessions, signups, users};

pub async fn change_name(state: &AppState, user: &User, name: &DisplayName) -> Result<()> {
    let mut tx = state.store.begin().await?;
    users::update_name(&mut tx, &user.id, name).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password and ends every session of the user, this one included; the caller
/// renews its own session afterwards so that only the current browser stays signed in.
pub async fn change_password(state: &AppState, user: &User, password: &NewPassword) -> Result<()> {
    let hash = state.passwords.hash(password).await?;
    let mut tx = state.store.begin().await?;
    replace_password(state, &mut tx, user, &hash).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// Stores a new password hash, ends every session of the user and tells them by email: what
/// any password change does, whichever way it came.
pub(crate) async fn replace_password(
    state: &AppState,
    tx: &mut Tx,
    user: &User,
    hash: &str,
) -> Result<()> {
    users::update_password_hash(&mut **tx, &user.id, hash).await?;
    sessions::delete_for_user(&mut **tx, &user.id).await?;
    // Links mailed before the change stop working with it: reset links, and sign-ups of the
    // address (whose passwords must never arrive after this one).
    email_tokens::void_unused(&mut **tx, &user.id, TokenPurpose::ResetPassword).await?;
    signups::void_for_address(&mut **tx, &user.connection_id, &user.email).await?;
    let identifier = throttle::sign_in_identifier(&user.connection_id, &user.email);
    throttle::forget_browsers(tx, &identifier).await?;
    let realm = landing::home_realm(state, user).await?;
    let mail = PasswordChanged {
        name: user.name.to_string(),
        reset_link: state.links.forgot_password(realm.as_ref()),
    };
    state.mail.enqueue(&mut **tx, &user.email, &mail).await?;
    Ok(())
}

/// The user a session names, unless blocked: blocking takes effect on the next request.
pub async fn signed_in_user(state: &AppState, id: &UserId) -> Result<Option<User>> {
    let user = users::find_by_id(state.store.pool(), id).await?;
    Ok(user.filter(|user| !user.blocked))
}
