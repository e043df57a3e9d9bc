//! Password sign-in.
use crate::domain::{ConnectionId, Email, User};
use crate::error::AppError;
use crate::services::throttle;
use crate::state::AppState;
use crate::store::users;

pub enum SignInOutcome {
    SignedIn(User),
    /// Right password, but the address is not verified yet.
    EmailNotVerified(User),
    /// Unknown email or wrong password: deliberately indistinguishable.
    Rejected,
}

/// Checks email and password. Unknown accounts are checked against a dummy hash so that the
/// answer takes as long as for a real one; failures count toward the (account, IP) backoff.
pub async fn sign_in(
    state: &AppState,
    connection: &ConnectionId,
    email: &Email,
    password: &str,
    client_ip: &str,
) -> Result<SignInOutcome, AppError> {
    let identifier = throttle::sign_in_identifier(connection, email);
    let record = throttle::check_sign_in(state, &identifier, client_ip).await?;
    let user = users::find_by_email(state.store.pool(), connection, email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    let matches = state.passwords.verify(password, stored).await?;
    match user {
        Some(user) if matches && !user.blocked => {
            throttle::record_successful_sign_in(state, record, &identifier, client_ip).await?;
            if user.email_verified {
                Ok(SignInOutcome::SignedIn(user))
            } else {
                Ok(SignInOutcome::EmailNotVerified(user))
            }
        }
        _ => {
            throttle::record_failed_sign_in(state, &identifier, client_ip).await?;
            Ok(SignInOutcome::Rejected)
        }
    }
}
