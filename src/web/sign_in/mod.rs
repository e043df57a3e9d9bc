//! Signing in, signing up and recovering an account: the deployment's own pages, and the same
//! pages branded for each organization under `/o/{slug}`.
pub mod login;
pub mod realm;
pub mod recovery;
pub mod signup;
pub mod unlock;
pub mod verify;

use actix_web::web;

use super::urls::{RealmUrls, Urls};

pub fn configure(cfg: &mut web::ServiceConfig) {
    for base in RealmUrls::BASES {
        configure_realm(cfg, base);
    }
    cfg.route(Urls::Logout.pattern(), web::post().to(login::logout))
        .service(
            web::resource(Urls::VerifyEmail.pattern())
                .get(verify::get)
                .post(verify::post),
        )
        .service(
            web::resource(Urls::ResetPassword.pattern())
                .get(recovery::get_reset)
                .post(recovery::post_reset),
        )
        .service(
            web::resource(Urls::UnlockAccount.pattern())
                .get(unlock::get)
                .post(unlock::post),
        );
}

/// The pages of one realm, mounted at `base` ("" or "/o/{slug}").
fn configure_realm(cfg: &mut web::ServiceConfig, base: &str) {
    let at = |page: RealmUrls| format!("{base}{}", page.suffix());
    cfg.service(
        web::resource(at(RealmUrls::Login))
            .get(login::get)
            .post(login::post_email),
    )
    .route(
        &at(RealmUrls::LoginPassword),
        web::post().to(login::post_password),
    )
    .service(
        web::resource(at(RealmUrls::SignUp))
            .get(signup::get)
            .post(signup::post),
    )
    .service(
        web::resource(at(RealmUrls::ForgotPassword))
            .get(recovery::get_forgot)
            .post(recovery::post_forgot),
    )
    .service(
        web::resource(at(RealmUrls::ResendVerification))
            .get(verify::get_resend)
            .post(verify::post_resend),
    );
}
