//! `/oauth/userinfo` (OpenID Connect Core §5.3): the signed-in person's claims, for a bearer
//! access token in the Authorization header (or, RFC 6750 §2.2, a form body).
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::api::ApiError;
use crate::domain::oauth::{ErrorCode, OAuthError};
use crate::services::oauth::introspection;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct BearerForm {
    access_token: Option<String>,
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    answer(&req, &state, None).await
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Option<web::Form<BearerForm>>,
) -> Result<HttpResponse, ApiError> {
    let token = form.and_then(|form| form.into_inner().access_token);
    answer(&req, &state, token).await
}

async fn answer(
    req: &HttpRequest,
    state: &AppState,
    body_token: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let header_token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(|token| token.trim().to_owned());
    let token = header_token.or(body_token).ok_or_else(|| {
        ApiError::oauth(&OAuthError::new(
            ErrorCode::InvalidToken,
            "send the access token as Authorization: Bearer",
        ))
    })?;
    let claims = introspection::userinfo(state, &token).await?;
    Ok(HttpResponse::Ok().json(claims))
}
