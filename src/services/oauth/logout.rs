//! Signing out (OpenID Connect RP-Initiated Logout 1.0): the `id_token_hint` that says which
//! application asks, where it may send the person afterwards, and what ending a sign-in
//! revokes and whom it tells.
use super::{backchannel, jwt};
use crate::domain::application::Application;
use crate::services::{Result, applications};
use crate::state::AppState;
use crate::store::{application_sign_ins, authorization_codes, refresh_tokens};

/// What a valid `id_token_hint` says: the application it was issued to and whom it is about.
pub struct Hint {
    pub app: Application,
    pub subject: String,
}

/// The hint, when Usher signed it (expired or not: a hint is often old).
pub async fn read_hint(state: &AppState, id_token_hint: &str) -> Result<Option<Hint>> {
    let keys = state.keys.current(&state.store, &state.sealer).await?;
    let Some(claims) = jwt::verify(&keys, id_token_hint, jwt::ID_TOKEN_TYPE) else {
        return Ok(None);
    };
    if claims["iss"] != state.links.issuer().as_str() {
        return Ok(None);
    }
    let audience = match &claims["aud"] {
        serde_json::Value::String(aud) => Some(aud.as_str()),
        serde_json::Value::Array(auds) => auds.first().and_then(|aud| aud.as_str()),
        _ => None,
    };
    let Some(client_id) = audience else {
        return Ok(None);
    };
    let subject = claims["sub"].as_str().unwrap_or_default().to_owned();
    match applications::find(&state.store, client_id).await {
        Ok(app) => Ok(Some(Hint { app, subject })),
        Err(crate::services::Error::NotFound) => Ok(None),
        Err(err) => Err(err),
    }
}

/// `uri` if the application registered it as a place to go after signing out.
pub fn post_logout_target(app: &Application, uri: &str) -> Option<String> {
    app.post_logout_redirect_uris
        .iter()
        .any(|registered| registered.as_str() == uri)
        .then(|| uri.to_owned())
}

/// What ends with a browser sign-in: its unused codes, the refresh tokens issued in it, and
/// the applications it reached are told (back-channel logout).
pub async fn end_sign_in(state: &AppState, sid: &str) -> Result<()> {
    let mut tx = state.store.begin().await?;
    authorization_codes::delete_for_sid(&mut *tx, sid).await?;
    refresh_tokens::revoke_for_sid(&mut *tx, sid).await?;
    let ended = application_sign_ins::take_for_sid(&mut *tx, sid).await?;
    backchannel::queue_logouts(&mut tx, ended).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}
