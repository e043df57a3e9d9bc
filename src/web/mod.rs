//! Handlers and their page structs, and the route table.
pub mod account;
pub mod admin;
pub mod check_email;
pub mod dev_mail;
pub mod error_pages;
pub mod forms;
pub mod health;
pub mod link_invalid;
pub mod login;
pub mod notice;
pub mod page;
pub mod recovery;
pub mod security_headers;
pub mod signup;
pub mod static_files;
pub mod verify;

use actix_web::{HttpResponse, web};

use crate::auth::current_user::signed_in_user;
use crate::error::AppError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/static/{file:.*}", web::get().to(static_files::serve))
        .service(web::resource("/signup").get(signup::get).post(signup::post))
        .service(
            web::resource("/login")
                .get(login::get)
                .post(login::post_email),
        )
        .route("/login/password", web::post().to(login::post_password))
        .route("/logout", web::post().to(login::logout))
        .service(
            web::resource("/verify-email")
                .get(verify::get)
                .post(verify::post),
        )
        .service(
            web::resource("/verify-email/resend")
                .get(verify::get_resend)
                .post(verify::post_resend),
        )
        .service(
            web::resource("/forgot-password")
                .get(recovery::get_forgot)
                .post(recovery::post_forgot),
        )
        .service(
            web::resource("/reset-password")
                .get(recovery::get_reset)
                .post(recovery::post_reset),
        )
        .service(web::resource("/account").get(account::get))
        .route("/account/name", web::post().to(account::post_name))
        .route("/account/password", web::post().to(account::post_password))
        .route("/admin", web::get().to(admin::home))
        .service(
            web::resource("/setup/operator")
                .get(admin::get_setup)
                .post(admin::post_setup),
        )
        .route("/dev/mail", web::get().to(dev_mail::list))
        .route("/dev/mail/{id}", web::get().to(dev_mail::show));
}

/// The start page: your account when signed in, sign-in otherwise.
async fn home(req: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    let target = if signed_in_user(&req).await?.is_some() {
        "/account"
    } else {
        "/login"
    };
    Ok(page::see_other(target))
}

/// Unknown routes.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
