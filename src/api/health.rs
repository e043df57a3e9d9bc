//! `/api/health`: whether this instance can reach its database, for monitors that speak JSON.
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::ApiError;
use crate::services::health;
use crate::state::AppState;

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// Answers GET and POST alike: some monitors probe with either.
pub async fn get(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !health::database_reachable(&state).await {
        return Err(ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The database cannot be reached.",
        ));
    }
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
