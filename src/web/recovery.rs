//! `/forgot-password` and `/reset-password`: recovering an account by email.
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
use crate::domain::{Email, EmailToken, NewPassword};
use crate::error::AppError;
use crate::services::{landing, recovery, throttle};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "auth/forgot_password.html")]
struct ForgotPage {
    page: Page,
    email: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "auth/reset_password.html")]
struct ResetPage {
    page: Page,
    token: String,
    email: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "auth/unlock_account.html")]
struct UnlockPage {
    page: Page,
    token: String,
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
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct ResetForm {
    token: String,
    password: String,
}

pub async fn get_forgot(
    page: Page,
    realm: Realm,
    query: web::Query<EmailQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page.in_realm(&realm);
    let email = query.into_inner().email.unwrap_or_default();
    render(&ForgotPage {
        page,
        email,
        errors: FieldErrors::default(),
    })
}

pub async fn post_forgot(
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
        let page = ForgotPage {
            page,
            email: form.into_inner().email,
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    recovery::request_reset(&state, &realm.connection(), &email).await?;
    render(&CheckEmailPage::reset_sent(page, &email))
}

pub async fn get_reset(
    page: Page,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = EmailToken::from_link(&query.token);
    let Some(user) = recovery::pending_reset(&state, &token).await? else {
        return LinkInvalid::reset(page);
    };
    let page = ResetPage {
        page,
        token: token.as_str().to_owned(),
        email: user.email.to_string(),
        errors: FieldErrors::default(),
    };
    render_token_page(StatusCode::OK, &page)
}

pub async fn post_reset(
    page: Page,
    state: web::Data<AppState>,
    ip: ClientIp,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let token = EmailToken::from_link(&form.token);
    let Some(user) = recovery::pending_reset(&state, &token).await? else {
        return LinkInvalid::reset(page);
    };
    let mut errors = FieldErrors::default();
    let context = [
        user.email.as_str(),
        user.email.local_part(),
        user.name.as_str(),
    ];
    let parsed = NewPassword::parse(&form.password, &context, state.password_rules);
    let Some(password) = errors.check("password", parsed) else {
        let page = ResetPage {
            page,
            token: token.as_str().to_owned(),
            email: user.email.to_string(),
            errors,
        };
        return render_token_page(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if !recovery::reset_password(&state, &token, &user, &password).await? {
        return LinkInvalid::reset(page);
    }
    tracing::info!(user = %user.id, "password reset");
    let base = landing::realm_base(&state, &user).await?;
    Ok(Notice::PasswordReset.redirect(&format!("{base}/login")))
}

/// `/unlock-account`: the link mailed when an account was locked. Opening it shows a button;
/// only the POST uses it up.
pub async fn get_unlock(
    page: Page,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = EmailToken::from_link(&query.token);
    let Some(user) = recovery::pending_unlock(&state, &token).await? else {
        return LinkInvalid::unlock(page);
    };
    let page = UnlockPage {
        page,
        token: token.as_str().to_owned(),
        email: user.email.to_string(),
    };
    render_token_page(StatusCode::OK, &page)
}

pub async fn post_unlock(
    page: Page,
    state: web::Data<AppState>,
    ip: ClientIp,
    form: web::Form<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let token = EmailToken::from_link(&form.token);
    let Some(user) = recovery::unlock(&state, &token).await? else {
        return LinkInvalid::unlock(page);
    };
    tracing::info!(user = %user.id, "account unlocked by its mailbox");
    let base = landing::realm_base(&state, &user).await?;
    Ok(Notice::AccountUnlocked.redirect(&format!("{base}/login")))
}
