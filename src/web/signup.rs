//! `/signup`: create an account with name, email and password.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::check_email::CheckEmailPage;
use super::forms::{FieldErrors, NewAccount};
use super::page::{ClientIp, Page, render, render_with_status, see_other};
use crate::error::AppError;
use crate::services::registration::{self, SignUp};
use crate::services::throttle;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "auth/signup.html")]
struct SignupPage {
    page: Page,
    name: String,
    email: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct SignupForm {
    name: String,
    email: String,
    password: String,
}

pub async fn get(page: Page) -> Result<HttpResponse, AppError> {
    if page.user.is_some() {
        return Ok(see_other("/account"));
    }
    render(&SignupPage {
        page,
        name: String::new(),
        email: String::new(),
        errors: FieldErrors::default(),
    })
}

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    ip: ClientIp,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let mut errors = FieldErrors::default();
    let Some(account) = NewAccount::parse(&mut errors, &form.name, &form.email, &form.password)
    else {
        let form = form.into_inner();
        let page = SignupPage {
            page,
            name: form.name,
            email: form.email,
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let NewAccount {
        name,
        email,
        password,
    } = account;
    registration::sign_up(
        &state,
        SignUp {
            name,
            email: email.clone(),
            password,
        },
    )
    .await?;
    render(&CheckEmailPage::verification_sent(page, &email))
}
