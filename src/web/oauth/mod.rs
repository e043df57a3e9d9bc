//! The OpenID Provider's pages: `/oauth/authorize` with its organization picker, and
//! `/oauth/logout`. They use the browser session; the endpoints for applications are in
//! `api::oauth`.
pub mod authorize;
pub mod logout;
pub mod respond;

use actix_web::web;

use super::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        Urls::OAuthAuthorize.pattern(),
        web::get().to(authorize::get),
    )
    .route(
        Urls::OAuthContinue.pattern(),
        web::get().to(authorize::resume),
    )
    .route(
        Urls::OAuthPickOrg.pattern(),
        web::get().to(authorize::picker),
    )
    .route(
        Urls::OAuthPickOrg.pattern(),
        web::post().to(authorize::pick),
    )
    .route(Urls::OAuthLogout.pattern(), web::get().to(logout::get))
    .route(Urls::OAuthLogout.pattern(), web::post().to(logout::post));
}
