//! `/sso/{id}/…`: a sign-in through an organization's identity provider, as the browser sees
//! it. `start` sends the browser there with a cookie that binds the flow to it; `callback`
//! checks the answer and signs the person in, or says plainly why not.
pub mod callback;
pub mod start;

use actix_web::web;

use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::SsoStart.pattern(), web::get().to(start::get))
        .route(Urls::SsoCallback.pattern(), web::get().to(callback::get));
}
