//! The JSON face, for applications rather than browsers: no cookie session, no CSRF token, and
//! every answer, errors included, is JSON. It calls the same services as the browser face.
pub mod cors;
pub mod error;
pub mod health;
pub mod jwks;

use actix_web::web;

pub use error::ApiError;

/// The scopes of the JSON face: `/api` and the OpenID Provider's `/oauth`; `/.well-known` and
/// SCIM join them here.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .wrap(error::json_errors())
            .app_data(error::json_config())
            .service(web::resource("/health").get(health::get).post(health::get))
            .default_service(web::to(error::not_found)),
    )
    .service(
        web::scope("/oauth")
            .wrap(actix_web::middleware::from_fn(cors::registered_origins))
            .wrap(error::json_errors())
            .app_data(error::json_config())
            .service(web::resource("/jwks").get(jwks::get))
            .default_service(web::to(error::not_found)),
    );
}
