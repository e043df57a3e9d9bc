//! `/admin`: the platform operator's portal home.
use actix_web::HttpResponse;
use askama::Template;

use crate::auth::Operator;
use crate::error::AppError;
use crate::web::page::Page;
use crate::web::respond::render;

#[derive(Template)]
#[template(path = "operator/index.html")]
struct OperatorHome {
    page: Page,
}

pub async fn get(page: Page, _operator: Operator) -> Result<HttpResponse, AppError> {
    render(&OperatorHome { page })
}
