//! `/admin/users` and `/admin/audit`: every user of the deployment, and every provisioning
//! action, newest first.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{Page, render};
use super::paging::{PER_PAGE, next_key};
use crate::auth::Operator;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::audit::{self, AuditRow};
use crate::store::users::{self, UserListRow};

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    page: Page,
    users: Vec<UserListRow>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    page: Page,
    events: Vec<AuditRow>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct BeforeQuery {
    before: Option<String>,
}

pub async fn users(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
    query: web::Query<BeforeQuery>,
) -> Result<HttpResponse, AppError> {
    let users = users::list_page(state.store.pool(), query.before.as_deref(), PER_PAGE).await?;
    let next = next_key(&users, |u| u.id.clone());
    render(&UsersPage { page, users, next })
}

pub async fn audit(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
    query: web::Query<BeforeQuery>,
) -> Result<HttpResponse, AppError> {
    let events = audit::list_page(state.store.pool(), query.before.as_deref(), PER_PAGE).await?;
    let next = next_key(&events, |e| e.id.clone());
    render(&AuditPage { page, events, next })
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC`.
pub fn utc(secs: &i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(*secs)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}
