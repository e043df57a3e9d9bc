//! `/dev/mail`: the dev outbox, served only while no SMTP server is configured.
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::domain::QueuedMail;
use crate::error::AppError;
use crate::services::dev_outbox;
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::respond::render;

#[derive(Template)]
#[template(path = "dev/mail_list.html")]
struct MailList {
    page: Page,
    messages: Vec<QueuedMail>,
}

#[derive(Template)]
#[template(path = "dev/mail_show.html")]
struct MailShow {
    page: Page,
    message: QueuedMail,
    links: Vec<String>,
}

/// The dev outbox holds every link the deployment mailed: only the machine itself may read it.
/// A request that a proxy forwarded (even one on this machine) is refused, whatever its peer,
/// and so is one for another host name than the public URL's (a page elsewhere whose name
/// was rebound to 127.0.0.1 must not read it from the visitor's browser).
fn ensure_local(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| req.headers().contains_key(*name));
    let from_loopback = req
        .peer_addr()
        .is_some_and(|peer| peer.ip().to_canonical().is_loopback());
    let own_host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| host == state.links.authority());
    if state.dev_outbox && from_loopback && !forwarded && own_host {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn list(
    page: Page,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ensure_local(&state, &req)?;
    let messages = dev_outbox::recent(&state).await?;
    render(&MailList { page, messages })
}

pub async fn show(
    page: Page,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    ensure_local(&state, &req)?;
    let message = dev_outbox::find(&state, &id).await?;
    let base = state.links.base().as_str().to_owned();
    // Only links back into this deployment are made clickable.
    let links = message
        .text_body
        .split_whitespace()
        .filter(|word| word.starts_with(&base))
        .map(str::to_owned)
        .collect();
    render(&MailShow {
        page,
        message,
        links,
    })
}
