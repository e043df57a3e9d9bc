//! `/oauth/token` (RFC 6749 §3.2): the three grants, answered in JSON, never cached.
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::client_auth;
use crate::api::ApiError;
use crate::domain::oauth::{ErrorCode, OAuthError};
use crate::services::oauth::clients;
use crate::services::oauth::tokens::{self, CodeExchange};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let presented = client_auth::presented(
        &req,
        form.client_id.as_deref(),
        form.client_secret.as_deref(),
    )
    .map_err(|err| ApiError::oauth(&err))?;
    let client = clients::authenticate(&state.store, &presented).await?;
    let missing = |what| ApiError::oauth(&OAuthError::invalid_request(what));
    let response = match form.grant_type.as_deref() {
        Some("authorization_code") => {
            let code = form
                .code
                .as_deref()
                .ok_or_else(|| missing("code is missing"))?;
            let exchange = CodeExchange {
                code,
                redirect_uri: form.redirect_uri.as_deref(),
                code_verifier: form.code_verifier.as_deref(),
            };
            tokens::exchange_code(&state, &client, exchange).await?
        }
        Some("refresh_token") => {
            let token = form
                .refresh_token
                .as_deref()
                .ok_or_else(|| missing("refresh_token is missing"))?;
            tokens::refresh(&state, &client, token, form.scope.as_deref()).await?
        }
        Some("client_credentials") => {
            tokens::client_credentials(&state, &client, form.scope.as_deref()).await?
        }
        Some(_) => {
            return Err(ApiError::oauth(&OAuthError::new(
                ErrorCode::UnsupportedGrantType,
                "the grants are authorization_code, refresh_token and client_credentials",
            )));
        }
        None => return Err(missing("grant_type is missing")),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Pragma", "no-cache"))
        .json(response))
}
