//! `/setup/operator`: the one-time link, printed at start, that creates the first operator.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::TypedSession;
use crate::domain::EmailToken;
use crate::error::AppError;
use crate::services::{self, Conflict, operator, throttle};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::{FieldErrors, NewAccount};
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::render_token_page;
use crate::web::shared::link_invalid::LinkInvalid;
use crate::web::urls::Urls;

#[derive(Template)]
#[template(path = "operator/setup.html")]
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

pub async fn get(
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

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let token = EmailToken::from_link(&form.token);
    let mut errors = FieldErrors::default();
    let rules = state.password_rules;
    let account = NewAccount::parse(&mut errors, &form.name, &form.email, &form.password, rules);
    if let Some(NewAccount {
        name,
        email,
        password,
    }) = account
    {
        match operator::create_first_operator(&state, &token, &name, &email, &password).await {
            Ok(user) => {
                session.sign_in(&user.id).map_err(AppError::unexpected)?;
                tracing::info!(user = %user.id, "first platform operator created");
                return Ok(Notice::OperatorCreated.redirect(Urls::Operator.pattern()));
            }
            Err(services::Error::NotFound) => return LinkInvalid::operator_setup(page),
            Err(services::Error::Conflict(Conflict::EmailTaken)) => {
                errors.add(
                    "email",
                    "An account already uses this email. Choose another address.",
                );
            }
            Err(err) => return Err(err.into()),
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
