//! The one way pages become responses: rendered with a status, or a 303 redirect.
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use askama::Template;

use crate::error::AppError;

/// Renders a page with status 200.
pub fn render(template: &impl Template) -> Result<HttpResponse, AppError> {
    render_with_status(StatusCode::OK, template)
}

/// Renders a page with another status: 422 for a form with errors, 410 for a dead link.
pub fn render_with_status(
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, AppError> {
    let body = template.render().map_err(AppError::unexpected)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// Like `render`, for pages whose URL carries a secret token: no Referer may leak it.
pub fn render_token_page(
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, AppError> {
    let mut res = render_with_status(status, template)?;
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

/// A 303 redirect (the answer to a successful POST).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
