//! `/confirm-email`: the link mailed when the right password was typed for an account that
//! came over from another system with its address never proved. Opening it shows a button;
//! only the POST uses it up (a mail scanner that follows links confirms nothing).
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::domain::EmailToken;
use crate::error::AppError;
use crate::services::{landing, recovery, throttle};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::render_token_page;
use crate::web::shared::link_invalid::LinkInvalid;
use crate::web::sign_in::unlock::{TokenForm, TokenQuery};
use crate::web::urls::RealmUrls;

#[derive(Template)]
#[template(path = "sign_in/confirm_email.html")]
struct ConfirmPage {
    page: Page,
    token: String,
    email: String,
}

pub async fn get(
    page: Page,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = EmailToken::from_link(query.token());
    let Some(user) = recovery::pending_confirmation(&state, &token).await? else {
        return LinkInvalid::confirmation(page);
    };
    let page = ConfirmPage {
        page,
        token: token.as_str().to_owned(),
        email: user.email.to_string(),
    };
    render_token_page(StatusCode::OK, &page)
}

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    ip: ClientIp,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let token = EmailToken::from_link(form.token());
    let Some(user) = recovery::confirm_email(&state, &token).await? else {
        return LinkInvalid::confirmation(page);
    };
    tracing::info!(user = %user.id, "email address confirmed by its mailbox");
    let realm = landing::home_realm(&state, &user).await?;
    Ok(Notice::EmailConfirmed.redirect(&RealmUrls::Login.of(realm.as_ref())))
}
