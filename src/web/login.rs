//! `/login`: identifier first (email), then the password, then sign-out.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::FieldErrors;
use super::notice::Notice;
use super::page::{ClientIp, Page, render, render_with_status, see_other};
use crate::auth::TypedSession;
use crate::domain::Email;
use crate::error::AppError;
use crate::services::authentication::{self, SignInOutcome};
use crate::services::throttle;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "auth/login_email.html")]
struct EmailStep {
    page: Page,
    email: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "auth/login_password.html")]
struct PasswordStep {
    page: Page,
    email: String,
    error: &'static str,
}

#[derive(Template)]
#[template(path = "auth/verify_pending.html")]
struct VerifyPending {
    page: Page,
    email: String,
}

#[derive(Deserialize)]
pub struct EmailQuery {
    email: Option<String>,
}

#[derive(Deserialize)]
pub struct EmailForm {
    email: String,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    email: String,
    password: String,
}

pub async fn get(page: Page, query: web::Query<EmailQuery>) -> Result<HttpResponse, AppError> {
    if page.user.is_some() {
        return Ok(see_other("/account"));
    }
    let email = query.into_inner().email.unwrap_or_default();
    render(&EmailStep {
        page,
        email,
        errors: FieldErrors::default(),
    })
}

/// The email step. Every well-formed address gets the password step, known or not; later,
/// a company domain will be sent to its own identity provider from here.
pub async fn post_email(page: Page, form: web::Form<EmailForm>) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    match errors.check("email", Email::parse(&form.email)) {
        Some(email) => render(&PasswordStep {
            page,
            email: email.to_string(),
            error: "",
        }),
        None => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EmailStep {
                page,
                email: form.into_inner().email,
                errors,
            },
        ),
    }
}

pub async fn post_password(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let Ok(email) = Email::parse(&form.email) else {
        return Ok(see_other("/login"));
    };
    match authentication::sign_in(&state, &email, &form.password, &ip.0).await? {
        SignInOutcome::SignedIn(user) => {
            session.sign_in(&user.id).map_err(AppError::unexpected)?;
            tracing::info!(user = %user.id, "signed in");
            Ok(see_other("/account"))
        }
        SignInOutcome::EmailNotVerified(_) => render_with_status(
            StatusCode::FORBIDDEN,
            &VerifyPending {
                page,
                email: email.to_string(),
            },
        ),
        SignInOutcome::Rejected => render_with_status(
            StatusCode::UNAUTHORIZED,
            &PasswordStep {
                page,
                email: email.to_string(),
                error: "Incorrect email or password.",
            },
        ),
    }
}

pub async fn logout(session: TypedSession) -> HttpResponse {
    session.sign_out();
    Notice::SignedOut.redirect("/login")
}
