//! `/dev/mail`: the dev outbox, for trying Usher on one machine.
pub mod mail;

use actix_web::web;

use super::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::DevMail.pattern(), web::get().to(mail::list))
        .route(Urls::DevMailMessage.pattern(), web::get().to(mail::show));
}
