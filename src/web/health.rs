//! Probes for load balancers and orchestrators.
use actix_web::{HttpResponse, web};

use crate::services::health;
use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The process can reach its database.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if health::database_reachable(&state).await {
        HttpResponse::Ok().content_type("text/plain").body("ready")
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("database unreachable")
    }
}
