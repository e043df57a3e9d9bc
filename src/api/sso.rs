//! `POST /sso/{id}/backchannel-logout`: an organization's identity provider signs someone
//! out (OpenID Connect Back-Channel Logout 1.0 §2.5): 200 once the sessions it names have
//! ended, 400 with a JSON error for a token that does not pass.
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::api::ApiError;
use crate::domain::ConnectionId;
use crate::services::sso;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct LogoutForm {
    logout_token: Option<String>,
}

pub async fn backchannel_logout(
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, ApiError> {
    let id = ConnectionId::from_stored(path.into_inner());
    let refused = |reason: &str| {
        HttpResponse::BadRequest()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({"error": "invalid_request", "error_description": reason}))
    };
    let Some(token) = form.into_inner().logout_token else {
        return Ok(refused("logout_token is missing"));
    };
    match sso::logout::back_channel(&state, &id, &token).await? {
        Ok(_) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish()),
        Err(reason) => {
            tracing::warn!(connection = %id, reason, "back-channel logout refused");
            Ok(refused(&reason))
        }
    }
}
