//! What a token says when it comes back: userinfo (OpenID Connect Core §5.3), introspection
//! (RFC 7662) and revocation (RFC 7009).
use serde_json::{Value, json};

use super::claims;
use super::jwt;
use crate::domain::application::Application;
use crate::domain::oauth::{ErrorCode, OAuthError, Scope};
use crate::domain::{EmailToken, OrganizationId, UserId};
use crate::services::Result;
use crate::state::AppState;
use crate::store::{now, refresh_tokens};

const INVALID_TOKEN: OAuthError = OAuthError::new(
    ErrorCode::InvalidToken,
    "the access token is invalid or has expired",
);

/// The claims of an access token Usher signed that has not expired.
async fn access_token_claims(state: &AppState, token: &str) -> Result<Option<Value>> {
    let keys = state.keys.current(&state.store, &state.sealer).await?;
    let claims = jwt::verify(&keys, token, jwt::ACCESS_TOKEN_TYPE).filter(|claims| {
        claims["iss"] == state.links.issuer().as_str()
            && claims["exp"].as_i64().is_some_and(|exp| exp > now())
    });
    Ok(claims)
}

/// The signed-in person's claims, for the scope the access token carries.
pub async fn userinfo(state: &AppState, access_token: &str) -> Result<Value> {
    let claims = access_token_claims(state, access_token)
        .await?
        .ok_or(INVALID_TOKEN)?;
    // A client_credentials token names an application, not a person: no user has its id.
    let user = UserId::from_stored(claims["sub"].as_str().unwrap_or_default().to_owned());
    let org = claims["org_id"]
        .as_str()
        .map(|id| OrganizationId::from_stored(id.to_owned()));
    let subject = match claims::subject(&state.store, &user, org.as_ref()).await {
        Ok(subject) => subject,
        Err(crate::services::Error::OAuth(_)) => return Err(INVALID_TOKEN.into()),
        Err(err) => return Err(err),
    };
    let scope = Scope::from_stored(claims["scope"].as_str().unwrap_or_default());
    Ok(subject.userinfo(&scope))
}

/// Whether `token` is active, and what it is, for a confidential application.
pub async fn introspect(state: &AppState, client: &Application, token: &str) -> Result<Value> {
    if let Some(claims) = access_token_claims(state, token).await? {
        let mut answer = claims;
        answer["active"] = json!(true);
        answer["token_type"] = json!("Bearer");
        return Ok(answer);
    }
    let hash = EmailToken::from_link(token).hash();
    let Some(stored) = refresh_tokens::find(state.store.pool(), &hash).await? else {
        return Ok(json!({ "active": false }));
    };
    let active = !stored.rotated
        && !stored.revoked
        && stored.expires_at > now()
        && stored.grant.client_id == client.client_id.as_str();
    if !active {
        return Ok(json!({ "active": false }));
    }
    let grant = stored.grant;
    Ok(json!({
        "active": true,
        "token_type": "refresh_token",
        "client_id": grant.client_id,
        "sub": grant.user_id.as_str(),
        "scope": grant.scope.to_string_list(),
        "exp": stored.expires_at,
        "iss": state.links.issuer(),
        "org_id": grant.organization_id.as_ref().map(|id| id.as_str()),
    }))
}

/// Revokes a refresh token of this application, and every token of its family. Anything else
/// (an access token, which expires on its own; a token of another application; garbage) is
/// answered the same way and changes nothing (RFC 7009 §2.2).
pub async fn revoke(state: &AppState, client: &Application, token: &str) -> Result<()> {
    let hash = EmailToken::from_link(token).hash();
    if let Some(stored) = refresh_tokens::find(state.store.pool(), &hash).await?
        && stored.grant.client_id == client.client_id.as_str()
    {
        refresh_tokens::revoke_family(state.store.pool(), &stored.grant.family).await?;
    }
    Ok(())
}
