//! `/admin/users` and `/admin/audit`: every user of the deployment, and every provisioning
//! action, newest first. The operator blocks a user, or lets them back in, from the list.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::Operator;
use crate::domain::{AuditEntry, UserId, UserSummary};
use crate::error::AppError;
use crate::services::{blocking, directory};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::page::Page;
use crate::web::respond::{render, see_other};
use crate::web::urls::Urls;

#[derive(Template)]
#[template(path = "operator/users.html")]
struct UsersPage {
    page: Page,
    users: Vec<UserSummary>,
    next: Option<String>,
    /// The operator looking, who cannot block themselves.
    me: UserId,
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
    Operator(operator): Operator,
    query: web::Query<BeforeQuery>,
) -> Result<HttpResponse, AppError> {
    let found = directory::users(&state, query.before.as_deref()).await?;
    let (users, next) = (found.items, found.next);
    render(&UsersPage {
        page,
        users,
        next,
        me: operator.id,
    })
}

#[derive(Deserialize)]
pub struct UserPath {
    id: String,
}

pub async fn block(
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    path: web::Path<UserPath>,
) -> Result<HttpResponse, AppError> {
    let target = UserId::from_stored(path.into_inner().id);
    blocking::block(&state, &operator, &ip.0, &target).await?;
    Ok(see_other(Urls::OperatorUsers.pattern()))
}

pub async fn unblock(
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    path: web::Path<UserPath>,
) -> Result<HttpResponse, AppError> {
    let target = UserId::from_stored(path.into_inner().id);
    blocking::unblock(&state, &operator, &ip.0, &target).await?;
    Ok(see_other(Urls::OperatorUsers.pattern()))
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
