//! `/oauth/revoke` (RFC 7009) and `/oauth/introspect` (RFC 7662): both take an authenticated
//! client and a `token`.
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::client_auth;
use crate::api::ApiError;
use crate::domain::application::{Application, ClientKind};
use crate::domain::oauth::{ErrorCode, OAuthError};
use crate::services::oauth::{clients, introspection};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct TokenForm {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

async fn client_and_token(
    req: &HttpRequest,
    state: &AppState,
    form: TokenForm,
) -> Result<(Application, String), ApiError> {
    let presented = client_auth::presented(
        req,
        form.client_id.as_deref(),
        form.client_secret.as_deref(),
    )
    .map_err(|err| ApiError::oauth(&err))?;
    let client = clients::authenticate(&state.store, &presented).await?;
    let token = form
        .token
        .ok_or_else(|| ApiError::oauth(&OAuthError::invalid_request("token is missing")))?;
    Ok((client, token))
}

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, ApiError> {
    let (client, token) = client_and_token(&req, &state, form.into_inner()).await?;
    introspection::revoke(&state, &client, &token).await?;
    Ok(HttpResponse::Ok().finish())
}

pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, ApiError> {
    let (client, token) = client_and_token(&req, &state, form.into_inner()).await?;
    if client.kind != ClientKind::Confidential {
        return Err(ApiError::oauth(&OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "only a confidential application may introspect tokens",
        )));
    }
    Ok(HttpResponse::Ok().json(introspection::introspect(&state, &client, &token).await?))
}
