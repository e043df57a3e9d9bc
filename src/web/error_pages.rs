//! Turns bare error responses (from `AppError`, unknown routes, bad forms) into a page with
//! plain words and the request id, never internals.
use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpMessage, HttpResponse};
use askama::Template;
use tracing_actix_web::RequestId;

use super::page::Page;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    page: Page,
    status: u16,
    title: &'static str,
    message: String,
    request_id: String,
}

pub fn middleware<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(render)
}

fn render<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Responses that handlers wrote themselves (a form with errors, a dead link, the readiness
    // probe) stay as they are; errors get the error page, also those that come with actix's
    // plain-text message (a form or query that does not parse).
    let explained = !matches!(
        res.response().body().size(),
        actix_web::body::BodySize::Sized(0)
    ) && res.response().error().is_none();
    if explained {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let message = res
        .response()
        .error()
        .and_then(|err| err.as_error::<AppError>())
        .map(AppError::public_message)
        .unwrap_or_else(|| default_message(status).to_owned());
    let request_id = res
        .request()
        .extensions()
        .get::<RequestId>()
        .map(ToString::to_string)
        .unwrap_or_default();
    let page = ErrorPage {
        page: Page::default(),
        status: status.as_u16(),
        title: title(status),
        message,
        request_id,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| "Something went wrong.".into());
    let (req, res) = res.into_parts();
    let mut page_res = HttpResponse::build(status);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page_res.append_header((name.clone(), value.clone()));
        }
    }
    let page_res = page_res.content_type("text/html; charset=utf-8").body(body);
    let res = ServiceResponse::new(req, page_res)
        .map_into_boxed_body()
        .map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        403 => "Not available",
        404 => "Page not found",
        405 => "Not allowed",
        413 => "Too large",
        415 => "Not a form",
        422 => "Check what you entered",
        409 => "Already there",
        429 => "Too many attempts",
        503 => "Try again in a moment",
        _ if status.is_server_error() => "Something went wrong",
        _ => "Something is not right",
    }
}

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "There is nothing at this address. Check the link, or go back to the start.",
        400 | 422 => "The request could not be understood. Go back, check the form and try again.",
        405 => "This address does not accept that kind of request.",
        413 => "What you sent is too large.",
        415 => "This address accepts only what its own form sends.",
        _ if status.is_server_error() => {
            "Something went wrong on our side. Please try again in a moment."
        }
        _ => "This request could not be completed.",
    }
}
