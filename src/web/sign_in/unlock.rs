//! `/unlock-account`: the link mailed when an account was locked after failed sign-ins.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::EmailToken;
use crate::error::AppError;
use crate::services::{landing, recovery, throttle};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::render_token_page;
use crate::web::shared::link_invalid::LinkInvalid;
use crate::web::urls::RealmUrls;

#[derive(Template)]
#[template(path = "sign_in/unlock_account.html")]
struct UnlockPage {
    page: Page,
    token: String,
    email: String,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
}

/// `/unlock-account`: the link mailed when an account was locked. Opening it shows a button;
/// only the POST uses it up.
pub async fn get(
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

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    ip: ClientIp,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let token = EmailToken::from_link(&form.token);
    let Some(user) = recovery::unlock(&state, &token).await? else {
        return LinkInvalid::unlock(page);
    };
    tracing::info!(user = %user.id, "account unlocked by its mailbox");
    let realm = landing::home_realm(&state, &user).await?;
    Ok(Notice::AccountUnlocked.redirect(&RealmUrls::Login.of(realm.as_ref())))
}
