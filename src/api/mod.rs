//! The JSON face, for applications rather than browsers: no cookie session, no CSRF token, and
//! every answer, errors included, is JSON. It calls the same services as the browser face.
pub mod cors;
pub mod error;
pub mod health;
pub mod oauth;
pub mod sso;

use actix_web::{guard, web};

pub use error::ApiError;

/// The OpenID Provider's paths that are pages, served by the browser face (with its session):
/// the `/oauth` scope here steps aside for them.
const BROWSER_PATHS: [&str; 2] = ["/oauth/authorize", "/oauth/logout"];

/// The scopes of the JSON face: `/api`, the OpenID Provider's `/oauth` and `/.well-known`;
/// SCIM joins them here.
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
            .guard(guard::fn_guard(|ctx| {
                let path = ctx.head().uri.path();
                !BROWSER_PATHS.iter().any(|page| path.starts_with(page))
            }))
            .wrap(actix_web::middleware::from_fn(cors::registered_origins))
            .wrap(error::json_errors())
            .app_data(error::json_config())
            .service(web::resource("/jwks").get(oauth::jwks::get))
            .service(web::resource("/token").post(oauth::token::post))
            .service(
                web::resource("/userinfo")
                    .get(oauth::userinfo::get)
                    .post(oauth::userinfo::post),
            )
            .service(web::resource("/revoke").post(oauth::revocation::revoke))
            .service(web::resource("/introspect").post(oauth::revocation::introspect))
            .default_service(web::to(error::not_found)),
    )
    .service(
        web::resource("/sso/{id}/backchannel-logout")
            .wrap(error::json_errors())
            .app_data(error::json_config())
            .post(sso::backchannel_logout),
    )
    .service(
        web::scope("/.well-known")
            .wrap(actix_web::middleware::from_fn(cors::registered_origins))
            .wrap(error::json_errors())
            .service(web::resource("/openid-configuration").get(oauth::discovery::get))
            .default_service(web::to(error::not_found)),
    );
}
