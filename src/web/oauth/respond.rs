//! How an answer reaches the application. Chromium and Safari check CSP `form-action` against
//! every redirect that follows a form POST, so after one of Usher's forms the chain ends on a
//! page that continues with a meta refresh (and a link); a plain GET gets a redirect.
use actix_web::HttpResponse;
use actix_web::http::header;
use askama::Template;

use crate::error::AppError;
use crate::services::oauth::initiate_login::Landing;
use crate::web::page::Page;
use crate::web::respond::render;

/// Whether a form of Usher's came before this response in the browser's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// The application's own navigation: a redirect works.
    Navigation,
    /// One of Usher's forms (sign-in, picker, sign-out): continue from a page.
    Form,
}

#[derive(Template)]
#[template(path = "oauth/continue.html")]
struct ContinuePage<'a> {
    page: Page,
    heading: &'a str,
    message: &'a str,
    app_name: &'a str,
    target: &'a str,
}

pub struct Destination<'a> {
    pub url: &'a str,
    pub app_name: &'a str,
    pub heading: &'a str,
    pub message: &'a str,
}

/// Sends someone who just joined (an invitation accepted, an email verified) to the landing
/// application, which starts its own sign-in there. A form came first: a page continues.
pub fn into_product(page: Page, landing: &Landing) -> Result<HttpResponse, AppError> {
    let app_name = landing.app.name.as_str();
    to_application(
        page,
        After::Form,
        &Destination {
            url: &landing.url,
            app_name,
            heading: "You're in",
            message: "Your account is ready. Continue to the application to start using it.",
        },
    )
}

pub fn to_application(
    page: Page,
    after: After,
    to: &Destination<'_>,
) -> Result<HttpResponse, AppError> {
    match after {
        After::Navigation => Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, to.url))
            .finish()),
        After::Form => render(&ContinuePage {
            page,
            heading: to.heading,
            message: to.message,
            app_name: to.app_name,
            target: to.url,
        }),
    }
}
