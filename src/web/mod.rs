//! The browser face: server-rendered pages, one folder per area, each registering its own
//! routes. Every route here sits behind the session, CSRF, notice and error-page middleware.
pub mod account;
pub mod client_ip;
pub mod dev;
pub mod error_pages;
pub mod extractors;
pub mod forms;
pub mod health;
pub mod notice;
pub mod oauth;
pub mod operator;
pub mod orgs;
pub mod page;
pub mod respond;
pub mod security_headers;
pub mod shared;
pub mod sign_in;
pub mod sso;
pub mod static_files;
pub mod urls;

use actix_web::{HttpResponse, web};

use crate::auth::current_user::signed_in_user;
use crate::error::AppError;
use urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::Start.pattern(), web::get().to(start))
        .route(Urls::Healthz.pattern(), web::get().to(health::healthz))
        .route(Urls::Readyz.pattern(), web::get().to(health::readyz))
        .route(Urls::Static.pattern(), web::get().to(static_files::serve))
        .configure(sign_in::configure)
        .configure(sso::configure)
        .configure(account::configure)
        .configure(orgs::configure)
        .configure(operator::configure)
        .configure(oauth::configure)
        .configure(dev::configure);
}

/// The start page: your organizations when signed in, sign-in otherwise.
async fn start(req: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    let target = match signed_in_user(&req).await? {
        Some(_) => Urls::Orgs.to_string(),
        None => urls::RealmUrls::Login.of(None),
    };
    Ok(respond::see_other(&target))
}

/// Unknown routes.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
