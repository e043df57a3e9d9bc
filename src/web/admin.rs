//! `/admin`: the platform operator's portal, and the one-time link that creates the first
//! operator.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::{FieldErrors, NewAccount};
use super::link_invalid::LinkInvalid;
use super::notice::Notice;
use super::page::{ClientIp, Page, render, render_token_page};
use crate::auth::{Operator, TypedSession};
use crate::domain::EmailToken;
use crate::error::AppError;
use crate::services::operator::{self, SetupOutcome};
use crate::services::throttle;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminHome {
    page: Page,
}

#[derive(Template)]
#[template(path = "admin/setup.html")]
struct SetupPage {
    page: Page,
    token: String,
    name: String,
    email: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct SetupForm {
    token: String,
    name: String,
    email: String,
    password: String,
}

pub async fn home(page: Page, _operator: Operator) -> Result<HttpResponse, AppError> {
    render(&AdminHome { page })
}

pub async fn get_setup(
    page: Page,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = EmailToken::from_link(&query.token);
    if !operator::setup_link_usable(&state, &token).await? {
        return LinkInvalid::operator_setup(page);
    }
    let page = SetupPage {
        page,
        token: token.as_str().to_owned(),
        name: String::new(),
        email: String::new(),
        errors: FieldErrors::default(),
    };
    render_token_page(StatusCode::OK, &page)
}

pub async fn post_setup(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let token = EmailToken::from_link(&form.token);
    let mut errors = FieldErrors::default();
    if let Some(NewAccount {
        name,
        email,
        password,
    }) = NewAccount::parse(
        &mut errors,
        &form.name,
        &form.email,
        &form.password,
        state.password_rules,
    ) {
        match operator::create_first_operator(&state, &token, &name, &email, &password).await? {
            SetupOutcome::Created(user) => {
                session.sign_in(&user.id).map_err(AppError::unexpected)?;
                tracing::info!(user = %user.id, "first platform operator created");
                return Ok(Notice::OperatorCreated.redirect("/admin"));
            }
            SetupOutcome::LinkUsed => return LinkInvalid::operator_setup(page),
            SetupOutcome::EmailTaken => {
                errors.add(
                    "email",
                    "An account already uses this email. Choose another address.",
                );
            }
        }
    }
    let form = form.into_inner();
    let page = SetupPage {
        page,
        token: form.token,
        name: form.name,
        email: form.email,
        errors,
    };
    render_token_page(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
