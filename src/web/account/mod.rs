//! `/account`: the signed-in user's own name and password.
pub mod settings;

use actix_web::web;

use super::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::Account.pattern(), web::get().to(settings::get))
        .route(
            Urls::AccountName.pattern(),
            web::post().to(settings::post_name),
        )
        .route(
            Urls::AccountPassword.pattern(),
            web::post().to(settings::post_password),
        );
}
