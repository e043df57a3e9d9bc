//! `/account`: the signed-in user's name and password.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Browser, CurrentUser, TypedSession};
use crate::domain::{DisplayName, NewPassword};
use crate::error::AppError;
use crate::services::account;
use crate::services::authentication::{self, Confirmation};
use crate::services::throttle::{self, Attempt};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::sign_in::login;

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    page: Page,
    name: String,
    email: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct NameForm {
    name: String,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn get(page: Page, CurrentUser(user): CurrentUser) -> Result<HttpResponse, AppError> {
    let (name, email) = (user.name.to_string(), user.email.to_string());
    render(&AccountPage {
        page,
        name,
        email,
        errors: FieldErrors::default(),
    })
}

pub async fn post_name(
    page: Page,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let Some(name) = errors.check("name", DisplayName::parse(&form.name)) else {
        let page = AccountPage {
            page,
            name: form.into_inner().name,
            email: user.email.to_string(),
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    account::change_name(&state, &user, &name).await?;
    Ok(Notice::NameSaved.redirect("/account"))
}

pub async fn post_password(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    browser: Browser,
    CurrentUser(user): CurrentUser,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let mut errors = FieldErrors::default();
    let attempt = Attempt {
        client_ip: &ip.0,
        browser: Some(&browser.id),
    };
    match authentication::confirm_password(&state, &user, &form.current_password, attempt).await? {
        Confirmation::Confirmed => {}
        Confirmation::Wrong => errors.add("current_password", "This is not your current password."),
        Confirmation::Locked => errors.add("current_password", login::LOCKED),
        Confirmation::LegacyStoreUnavailable => {
            errors.add("current_password", login::LEGACY_STORE_UNAVAILABLE)
        }
    }
    let context = [
        user.email.as_str(),
        user.email.local_part(),
        user.name.as_str(),
    ];
    let password = errors.check(
        "new_password",
        NewPassword::parse(&form.new_password, &context, state.password_rules),
    );
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        let page = AccountPage {
            page,
            name: user.name.to_string(),
            email: user.email.to_string(),
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    account::change_password(&state, &user, &password).await?;
    // Every session was ended; this browser continues under a fresh session id.
    session.sign_in(&user.id).map_err(AppError::unexpected)?;
    Ok(Notice::PasswordChanged.redirect("/account"))
}
