//! `/verify-email`: the link from the verification email, and asking for a new one.
//! Opening the link shows a button; only the POST uses the token up, so mail scanners that
//! fetch links do not burn it.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::check_email::CheckEmailPage;
use super::forms::FieldErrors;
use super::link_invalid::LinkInvalid;
use super::notice::Notice;
use super::page::{ClientIp, Page, render, render_token_page, render_with_status};
use super::realm::Realm;
use crate::auth::TypedSession;
use crate::domain::{Email, EmailToken};
use crate::error::AppError;
use crate::services::{landing, registration, throttle};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "auth/verify_email.html")]
struct ConfirmPage {
    page: Page,
    token: String,
}

#[derive(Template)]
#[template(path = "auth/resend_verification.html")]
struct ResendPage {
    page: Page,
    email: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct TokenParam {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct EmailForm {
    email: String,
}

pub async fn get(
    page: Page,
    state: web::Data<AppState>,
    query: web::Query<TokenParam>,
) -> Result<HttpResponse, AppError> {
    let token = EmailToken::from_link(&query.token);
    if !registration::verification_pending(&state, &token).await? {
        return LinkInvalid::verification(page);
    }
    render_token_page(
        StatusCode::OK,
        &ConfirmPage {
            page,
            token: token.as_str().to_owned(),
        },
    )
}

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<TokenParam>,
) -> Result<HttpResponse, AppError> {
    match registration::verify_email(&state, &EmailToken::from_link(&form.token)).await? {
        Some(user_id) => {
            session.sign_in(&user_id).map_err(AppError::unexpected)?;
            // Someone who signed up into (or founded) an organization lands in it.
            let destination = match landing::after_verification(&state, &user_id).await? {
                Some((org, slug)) => {
                    session.set_org(&org).map_err(AppError::unexpected)?;
                    format!("/o/{slug}")
                }
                None => "/account".to_owned(),
            };
            Ok(Notice::EmailVerified.redirect(&destination))
        }
        None => LinkInvalid::verification(page),
    }
}

pub async fn get_resend(page: Page, realm: Realm) -> Result<HttpResponse, AppError> {
    let page = page.in_realm(&realm);
    render(&ResendPage {
        page,
        email: String::new(),
        errors: FieldErrors::default(),
    })
}

pub async fn post_resend(
    page: Page,
    realm: Realm,
    state: web::Data<AppState>,
    ip: ClientIp,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let page = page.in_realm(&realm);
    let mut errors = FieldErrors::default();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        let page = ResendPage {
            page,
            email: form.into_inner().email,
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    registration::resend_verification(&state, &realm.connection(), &email).await?;
    render(&CheckEmailPage::verification_resent(page, &email))
}
