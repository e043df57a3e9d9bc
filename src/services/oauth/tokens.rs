//! The token endpoint's grants: `authorization_code` (with PKCE), `refresh_token` (rotated on
//! every use, the family revoked on reuse, RFC 9700 §4.14) and `client_credentials`.
use serde::Serialize;
use serde_json::{Value, json};

use super::claims::{self, Subject};
use super::id_token::{self, IdTokenFacts};
use super::jwt;
use crate::domain::EmailToken;
use crate::domain::application::{Application, ClientKind};
use crate::domain::oauth::{ACCESS_TOKEN_LIFETIME_SECS, ErrorCode, OAuthError, Scope};
use crate::services::Result;
use crate::signing::Signer;
use crate::state::AppState;
use crate::store::authorization_codes::CodeGrant;
use crate::store::refresh_tokens::RefreshGrant;
use crate::store::{authorization_codes, now, refresh_tokens};

/// The token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
}

/// What a code exchange presents besides the code.
pub struct CodeExchange<'a> {
    pub code: &'a str,
    pub redirect_uri: Option<&'a str>,
    pub code_verifier: Option<&'a str>,
}

pub async fn exchange_code(
    state: &AppState,
    client: &Application,
    exchange: CodeExchange<'_>,
) -> Result<TokenResponse> {
    let code_hash = EmailToken::from_link(exchange.code).hash();
    let Some(grant) = authorization_codes::consume(state.store.pool(), &code_hash).await? else {
        if authorization_codes::was_used(state.store.pool(), &code_hash).await? {
            // A replay: whoever holds the code may have stolen it; the tokens it gave go too.
            let revoked = refresh_tokens::revoke_family(state.store.pool(), &code_hash).await?;
            tracing::warn!(revoked, "an authorization code was used twice");
        }
        return Err(OAuthError::invalid_grant("the code is unknown, expired or used").into());
    };
    check_code(&grant, client, &exchange)?;
    let subject =
        claims::subject(&state.store, &grant.user_id, grant.organization_id.as_ref()).await?;
    let refresh = if grant.scope.has("offline_access") {
        let grant = RefreshGrant {
            family: code_hash,
            client_id: grant.client_id.clone(),
            user_id: grant.user_id.clone(),
            organization_id: grant.organization_id.clone(),
            scope: grant.scope.clone(),
            sid: grant.sid.clone(),
            auth_time: grant.auth_time,
        };
        Some(new_refresh_token(state, &grant).await?)
    } else {
        None
    };
    let session = Session {
        sid: &grant.sid,
        auth_time: grant.auth_time,
        nonce: grant.nonce.as_deref(),
    };
    user_tokens(state, client, &subject, &grant.scope, &session, refresh).await
}

fn check_code(
    grant: &CodeGrant,
    client: &Application,
    exchange: &CodeExchange<'_>,
) -> std::result::Result<(), OAuthError> {
    if grant.client_id != client.client_id.as_str() {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if grant.expires_at <= now() {
        return Err(OAuthError::invalid_grant("the code has expired"));
    }
    if exchange.redirect_uri != Some(grant.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri differs from the authorization request's",
        ));
    }
    match (&grant.code_challenge, exchange.code_verifier) {
        (Some(challenge), Some(verifier)) if challenge.is_met_by(verifier) => Ok(()),
        (Some(_), _) => Err(OAuthError::invalid_grant(
            "code_verifier does not match the code_challenge",
        )),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "a code_verifier was sent but the request had no code_challenge",
        )),
        (None, None) => Ok(()),
    }
}

pub async fn refresh(
    state: &AppState,
    client: &Application,
    token: &str,
    scope: Option<&str>,
) -> Result<TokenResponse> {
    let hash = EmailToken::from_link(token).hash();
    let unknown = OAuthError::invalid_grant("the refresh token is unknown, expired or revoked");
    let Some(stored) = refresh_tokens::find(state.store.pool(), &hash).await? else {
        return Err(unknown.into());
    };
    if stored.grant.client_id != client.client_id.as_str() {
        return Err(unknown.into());
    }
    if stored.revoked || stored.expires_at <= now() {
        return Err(unknown.into());
    }
    let mut grant = stored.grant.clone();
    if let Some(asked) = scope.filter(|asked| !asked.is_empty()) {
        grant.scope = grant.scope.narrowed_to(asked)?;
    }
    let subject =
        claims::subject(&state.store, &grant.user_id, grant.organization_id.as_ref()).await?;
    // The old token ends and the new one begins in one transaction: a failure loses neither.
    let refresh_token = EmailToken::generate();
    let mut tx = state.store.begin().await?;
    let rotated = !stored.rotated && refresh_tokens::rotate(&mut *tx, &hash).await?;
    if rotated {
        refresh_tokens::insert(&mut *tx, &refresh_token.hash(), &grant).await?;
    }
    tx.commit().await?;
    if !rotated {
        // A rotated token came back: one of two holders is not the client. End the family.
        let family = &stored.grant.family;
        let revoked = refresh_tokens::revoke_family(state.store.pool(), family).await?;
        tracing::warn!(revoked, "a rotated refresh token was used again");
        return Err(unknown.into());
    }
    let refresh_token = Some(refresh_token.as_str().to_owned());
    let session = Session {
        sid: &grant.sid,
        auth_time: grant.auth_time,
        nonce: None,
    };
    user_tokens(
        state,
        client,
        &subject,
        &grant.scope,
        &session,
        refresh_token,
    )
    .await
}

/// A token for the application itself, no person involved (RFC 6749 §4.4).
pub async fn client_credentials(
    state: &AppState,
    client: &Application,
    scope: Option<&str>,
) -> Result<TokenResponse> {
    if client.kind != ClientKind::Confidential {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "only a confidential application may use client_credentials",
        )
        .into());
    }
    // The scopes of the product's own APIs, as asked; the sign-in scopes mean nothing here.
    let scope: Vec<&str> = scope
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty() && !crate::domain::oauth::scope::SUPPORTED.contains(s))
        .collect();
    let scope = scope.join(" ");
    let keys = state.keys.current(&state.store, &state.sealer).await?;
    let now = now();
    let claims = access_claims(state, client, client.client_id.as_str(), &scope, now);
    Ok(TokenResponse {
        access_token: jwt::sign(
            keys.signer(client.signing_algorithm)?,
            jwt::ACCESS_TOKEN_TYPE,
            &claims,
        )?,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_LIFETIME_SECS,
        id_token: None,
        refresh_token: None,
        scope,
    })
}

/// The browser sign-in a grant comes from.
struct Session<'a> {
    sid: &'a str,
    auth_time: i64,
    nonce: Option<&'a str>,
}

async fn user_tokens(
    state: &AppState,
    client: &Application,
    subject: &Subject,
    scope: &Scope,
    session: &Session<'_>,
    refresh_token: Option<String>,
) -> Result<TokenResponse> {
    let keys = state.keys.current(&state.store, &state.sealer).await?;
    let now = now();
    let scope_list = scope.to_string_list();
    let mut claims = access_claims(state, client, subject.user.id.as_str(), &scope_list, now);
    claims["auth_time"] = json!(session.auth_time);
    claims["sid"] = json!(session.sid);
    for (name, value) in subject.org_claims() {
        claims[name] = value;
    }
    let signer = keys.signer(client.signing_algorithm)?;
    let access_token = jwt::sign(signer, jwt::ACCESS_TOKEN_TYPE, &claims)?;
    let id_token = sign_id_token(
        signer,
        state,
        client,
        subject,
        scope,
        session,
        &access_token,
        now,
    )?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_LIFETIME_SECS,
        id_token: Some(id_token),
        refresh_token,
        scope: scope_list,
    })
}

#[allow(clippy::too_many_arguments)]
fn sign_id_token(
    signer: &Signer,
    state: &AppState,
    client: &Application,
    subject: &Subject,
    scope: &Scope,
    session: &Session<'_>,
    access_token: &str,
    now: i64,
) -> Result<String> {
    let issuer = state.links.issuer();
    let facts = IdTokenFacts {
        issuer: &issuer,
        client_id: client.client_id.as_str(),
        scope,
        nonce: session.nonce,
        sid: session.sid,
        auth_time: session.auth_time,
        now,
        access_token,
    };
    id_token::sign(signer, subject, &facts)
}

/// The claims every access token has (RFC 9068 §2.2). Its audience is the application it was
/// issued to: the product's API behind that application checks it.
fn access_claims(
    state: &AppState,
    client: &Application,
    sub: &str,
    scope: &str,
    now: i64,
) -> Value {
    json!({
        "iss": state.links.issuer(),
        "sub": sub,
        "aud": client.client_id.as_str(),
        "client_id": client.client_id.as_str(),
        "iat": now,
        "exp": now + ACCESS_TOKEN_LIFETIME_SECS,
        "jti": uuid::Uuid::now_v7().simple().to_string(),
        "scope": scope,
    })
}

async fn new_refresh_token(state: &AppState, grant: &RefreshGrant) -> Result<String> {
    let token = EmailToken::generate();
    refresh_tokens::insert(state.store.pool(), &token.hash(), grant).await?;
    Ok(token.as_str().to_owned())
}
