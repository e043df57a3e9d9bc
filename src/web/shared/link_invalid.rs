//! The page for a link that is unknown, used, expired or replaced by a newer one.
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::error::AppError;
use crate::web::page::Page;
use crate::web::respond::render_token_page;

#[derive(Template)]
#[template(path = "shared/link_invalid.html")]
pub struct LinkInvalid {
    page: Page,
    /// Where to ask for a new link, and what that page is called.
    retry_href: &'static str,
    retry_label: &'static str,
}

impl LinkInvalid {
    pub fn verification(page: Page) -> Result<HttpResponse, AppError> {
        let this = Self {
            page,
            retry_href: "/verify-email/resend",
            retry_label: "Send a new verification link",
        };
        render_token_page(StatusCode::GONE, &this)
    }

    pub fn reset(page: Page) -> Result<HttpResponse, AppError> {
        let this = Self {
            page,
            retry_href: "/forgot-password",
            retry_label: "Send a new reset link",
        };
        render_token_page(StatusCode::GONE, &this)
    }

    pub fn unlock(page: Page) -> Result<HttpResponse, AppError> {
        let this = Self {
            page,
            retry_href: "/forgot-password",
            retry_label: "Reset your password instead",
        };
        render_token_page(StatusCode::GONE, &this)
    }

    pub fn invitation(page: Page) -> Result<HttpResponse, AppError> {
        let this = Self {
            page,
            retry_href: "/login",
            retry_label: "Go to sign-in",
        };
        render_token_page(StatusCode::GONE, &this)
    }

    pub fn operator_setup(page: Page) -> Result<HttpResponse, AppError> {
        let this = Self {
            page,
            retry_href: "/login",
            retry_label: "Go to sign-in",
        };
        render_token_page(StatusCode::GONE, &this)
    }
}
