//! `/forgot-password` and `/reset-password`: recovering an account by email.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::{Email, EmailToken, NewPassword};
use crate::error::AppError;
use crate::services::{landing, recovery, throttle};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_token_page, render_with_status};
use crate::web::shared::check_email::CheckEmailPage;
use crate::web::shared::link_invalid::LinkInvalid;
use crate::web::sign_in::realm::Realm;
use crate::web::urls::RealmUrls;

#[derive(Template)]
#[template(path = "sign_in/forgot_password.html")]
struct ForgotPage {
    page: Page,
    email: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "sign_in/reset_password.html")]
struct ResetPage {
    page: Page,
    token: String,
    email: String,
    errors: FieldErrors,
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
    let realm = landing::home_realm(&state, &user).await?;
    Ok(Notice::PasswordReset.redirect(&RealmUrls::Login.of(realm.as_ref())))
}
