//! Signing out of a sign-in that came through an organization's identity provider: Usher's
//! sign-out offers the provider's too, and the provider's back-channel logout ends the
//! Usher sessions of the provider session it names.
use super::provider::ProviderError;
use super::sign_in::{SignedIn, provider_of, refetched_keys};
use crate::domain::ConnectionId;
use crate::services::{Result, oauth};
use crate::state::AppState;
use crate::store::sso_sign_ins::{self, NewSsoSignIn};
use crate::store::{oidc_connections, sessions};

/// Remembers that the sign-in `sid` came through the provider, with its session and token.
pub async fn remember(state: &AppState, sid: &str, signed_in: &SignedIn) -> Result<()> {
    let verified = &signed_in.verified;
    let record = NewSsoSignIn {
        sid,
        connection: &signed_in.connection,
        subject: &verified.subject,
        idp_sid: verified.idp_sid.as_deref(),
        user: &signed_in.user.id,
        id_token: &verified.id_token,
    };
    sso_sign_ins::insert(state.store.pool(), record).await?;
    Ok(())
}

/// The provider's own sign-out, offered once Usher's is done.
pub struct ProviderSignOut {
    pub name: String,
    pub url: String,
}

/// Forgets the record of sign-in `sid`; the provider's sign-out, when it came through one
/// that publishes an end-session endpoint.
pub async fn on_sign_out(state: &AppState, sid: &str) -> Result<Option<ProviderSignOut>> {
    let Some(record) = sso_sign_ins::take(state.store.pool(), sid).await? else {
        return Ok(None);
    };
    let id = ConnectionId::from_stored(record.connection_id);
    let Some(connection) = oidc_connections::find(state.store.pool(), &id).await? else {
        return Ok(None);
    };
    let Ok(provider) = provider_of(state, &connection) else {
        return Ok(None);
    };
    let after = state.links.login(None);
    Ok(provider
        .end_session_url(&record.id_token, &after)
        .map(|url| ProviderSignOut {
            name: connection.settings.display_name,
            url: url.to_string(),
        }))
}

/// A provider's back-channel logout token for connection `id`: the Usher sign-ins of the
/// provider session (or subject) it names end, with what they reached. The number ended, or
/// why the token was refused.
pub async fn back_channel(
    state: &AppState,
    id: &ConnectionId,
    token: &str,
) -> Result<std::result::Result<usize, String>> {
    let Some(connection) = oidc_connections::find(state.store.pool(), id).await? else {
        return Ok(Err("no such connection".into()));
    };
    let Ok(mut provider) = provider_of(state, &connection) else {
        return Ok(Err("the stored connection cannot be read".into()));
    };
    let claims = match provider.verify_logout_token(token) {
        Err(ProviderError::UnknownKey) => {
            match refetched_keys(state, &connection, &provider.metadata).await {
                Ok(jwks) => provider.jwks = jwks,
                Err(err) => return Ok(Err(err.to_string())),
            }
            provider.verify_logout_token(token)
        }
        other => other,
    };
    let claims = match claims {
        Ok(claims) => claims,
        Err(err) => return Ok(Err(err.to_string())),
    };
    let sids = sso_sign_ins::take_matching(
        state.store.pool(),
        id,
        claims.subject.as_deref(),
        claims.idp_sid.as_deref(),
    )
    .await?;
    for sid in &sids {
        oauth::logout::end_sign_in(state, sid).await?;
        sessions::delete_for_sid(state.store.pool(), sid).await?;
    }
    tracing::info!(connection = %id, ended = sids.len(), "signed out by the identity provider");
    Ok(Ok(sids.len()))
}
