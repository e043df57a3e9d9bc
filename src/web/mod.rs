//! Handlers and their page structs, and the route table.
pub mod account;
pub mod admin;
pub mod admin_directory;
pub mod admin_orgs;
pub mod check_email;
pub mod dev_mail;
pub mod error_pages;
pub mod extractors;
pub mod forms;
pub mod health;
pub mod invitations;
pub mod link_invalid;
pub mod login;
pub mod notice;
pub mod org_signup;
pub mod orgs;
pub mod page;
pub mod paging;
pub mod realm;
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
        .route("/logout", web::post().to(login::logout))
        .service(
            web::resource("/verify-email")
                .get(verify::get)
                .post(verify::post),
        )
        .service(
            web::resource("/reset-password")
                .get(recovery::get_reset)
                .post(recovery::post_reset),
        )
        .service(
            web::resource("/unlock-account")
                .get(recovery::get_unlock)
                .post(recovery::post_unlock),
        )
        .service(web::resource("/account").get(account::get))
        .route("/account/name", web::post().to(account::post_name))
        .route("/account/password", web::post().to(account::post_password))
        .service(
            web::resource("/signup/organization")
                .get(org_signup::get)
                .post(org_signup::post),
        )
        .route("/orgs", web::get().to(orgs::picker))
        .route("/orgs/switch", web::post().to(orgs::switch))
        .service(
            web::resource("/invitations/{token}")
                .get(invitations::get)
                .post(invitations::post),
        )
        .route("/o/{slug}", web::get().to(orgs::home))
        .route("/o/{slug}/members", web::get().to(orgs::members))
        .route("/o/{slug}/brand.css", web::get().to(orgs::brand_css))
        .route("/admin", web::get().to(admin::home))
        .route("/admin/orgs", web::get().to(admin_orgs::list))
        .service(
            web::resource("/admin/orgs/new")
                .get(admin_orgs::new_form)
                .post(admin_orgs::create),
        )
        .route("/admin/orgs/{slug}", web::get().to(admin_orgs::show))
        .route(
            "/admin/orgs/{slug}/suspend",
            web::post().to(admin_orgs::suspend),
        )
        .route(
            "/admin/orgs/{slug}/reactivate",
            web::post().to(admin_orgs::reactivate),
        )
        .route(
            "/admin/orgs/{slug}/invite",
            web::post().to(admin_orgs::invite_owner),
        )
        .route("/admin/users", web::get().to(admin_directory::users))
        .route("/admin/audit", web::get().to(admin_directory::audit))
        .service(
            web::resource("/setup/operator")
                .get(admin::get_setup)
                .post(admin::post_setup),
        )
        .route("/dev/mail", web::get().to(dev_mail::list))
        .route("/dev/mail/{id}", web::get().to(dev_mail::show));
    // Sign-in, sign-up and recovery exist for the deployment and, branded and on its own
    // connection, for each organization.
    for base in ["", "/o/{slug}"] {
        cfg.service(
            web::resource(format!("{base}/login"))
                .get(login::get)
                .post(login::post_email),
        )
        .route(
            &format!("{base}/login/password"),
            web::post().to(login::post_password),
        )
        .service(
            web::resource(format!("{base}/signup"))
                .get(signup::get)
                .post(signup::post),
        )
        .service(
            web::resource(format!("{base}/forgot-password"))
                .get(recovery::get_forgot)
                .post(recovery::post_forgot),
        )
        .service(
            web::resource(format!("{base}/verify-email/resend"))
                .get(verify::get_resend)
                .post(verify::post_resend),
        );
    }
}

/// The start page: your organizations when signed in, sign-in otherwise.
async fn home(req: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    let target = if signed_in_user(&req).await?.is_some() {
        "/orgs"
    } else {
        "/login"
    };
    Ok(page::see_other(target))
}

/// Unknown routes.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
