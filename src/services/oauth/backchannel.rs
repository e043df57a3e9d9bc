//! OpenID Connect Back-Channel Logout 1.0, the provider's side: when a sign-in ends (the person
//! signs out, is removed from the organization or is blocked) each application it reached
//! that registered a back-channel logout URI is sent a logout token, by the job runner,
//! retried until the application takes it.
use serde_json::{Value, json};
use sqlx::{Any, Transaction};

use super::jwt;
use crate::store::application_sign_ins::AppSignIn;
use crate::store::{applications, now};
use crate::worker::backchannel_logout::SendLogoutToken;
use crate::worker::{self, Job};

/// The `typ` of logout tokens (Back-Channel Logout §2.4).
pub const LOGOUT_TOKEN_TYPE: &str = "logout+jwt";
/// The event a logout token carries.
pub const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// A logout token is accepted for this long: it is sent at once, or retried with a new one.
pub const LOGOUT_TOKEN_LIFETIME_SECS: i64 = 120;

/// Queues a logout token for each ended sign-in whose application listens, in the transaction
/// that ended them: they are sent if, and only if, it commits.
pub async fn queue_logouts(
    tx: &mut Transaction<'static, Any>,
    ended: Vec<AppSignIn>,
) -> anyhow::Result<()> {
    for sign_in in ended {
        let Some(app) = applications::find_by_client_id(&mut **tx, &sign_in.client_id).await?
        else {
            continue;
        };
        if app.backchannel_logout_uri.is_none() {
            continue;
        }
        let job = Job::SendLogoutToken(SendLogoutToken {
            client_id: sign_in.client_id,
            sub: sign_in.user_id,
            sid: sign_in.sid,
        });
        worker::enqueue(&mut **tx, &job, now()).await?;
    }
    Ok(())
}

/// The claims of a logout token for the sign-in `sid` of `sub` to `client_id` (§2.4): no
/// `nonce`, so that it can never pass for an ID token.
pub fn logout_claims(issuer: &str, client_id: &str, sub: &str, sid: &str, now: i64) -> Value {
    json!({
        "iss": issuer,
        "aud": client_id,
        "sub": sub,
        "sid": sid,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_LIFETIME_SECS,
        "jti": uuid::Uuid::new_v4().simple().to_string(),
        "events": { LOGOUT_EVENT: {} },
    })
}

/// Signs a logout token with `signer`.
pub fn logout_token(
    signer: &crate::signing::Signer,
    claims: &Value,
) -> crate::services::Result<String> {
    jwt::sign(signer, LOGOUT_TOKEN_TYPE, claims)
}
