//! `/admin/users` and `/admin/audit`: every user of the deployment, and every provisioning
//! action, newest first.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::Operator;
use crate::domain::{AuditEntry, UserSummary};
use crate::error::AppError;
use crate::services::directory;
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::respond::render;

#[derive(Template)]
#[template(path = "operator/users.html")]
struct UsersPage {
    page: Page,
    users: Vec<UserSummary>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "operator/audit.html")]
struct AuditPage {
    page: Page,
    events: Vec<AuditEntry>,
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
    let found = directory::users(&state, query.before.as_deref()).await?;
    let (users, next) = (found.items, found.next);
    render(&UsersPage { page, users, next })
}

pub async fn audit(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
    query: web::Query<BeforeQuery>,
) -> Result<HttpResponse, AppError> {
    let found = directory::audit_log(&state, query.before.as_deref()).await?;
    let (events, next) = (found.items, found.next);
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
