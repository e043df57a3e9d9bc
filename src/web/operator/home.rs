//! `/admin`: the platform operator's portal home: what the deployment holds, how its mail is
//! doing, and where to go next.
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::Operator;
use crate::domain::mail::MailHealth;
use crate::domain::overview::Counts;
use crate::error::AppError;
use crate::services::overview;
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::respond::render;

#[derive(Template)]
#[template(path = "operator/index.html")]
struct OperatorHome {
    page: Page,
    counts: Counts,
    mail: MailHealth,
}

pub async fn get(
    page: Page,
    state: web::Data<AppState>,
    _operator: Operator,
) -> Result<HttpResponse, AppError> {
    let counts = overview::counts(&state).await?;
    let mail = overview::mail_health(&state).await?;
    render(&OperatorHome { page, counts, mail })
}
