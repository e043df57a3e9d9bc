//! The error type of handlers and extractors. It decides the status; the error-page
//! middleware turns it into a page with the request id and no internals.
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

use crate::domain::Organization;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    #[error("sign-in required")]
    SignInRequired,
    /// Sign-in required, on a particular realm's page (an organization's own sign-in).
    #[error("sign-in required")]
    SignInRequiredAt(String),
    #[error("request refused: missing or wrong CSRF token")]
    CsrfRejected,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// `reason` is the operator's, shown to the organization's members only.
    #[error("organization {name} is suspended")]
    OrganizationSuspended {
        name: String,
        reason: Option<String>,
    },
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: i64 },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    pub fn unexpected(cause: impl std::fmt::Display) -> Self {
        Self::Unexpected(anyhow::anyhow!("{cause}"))
    }

    /// Refuses entry to a suspended organization; `Ok` for an active one. The operator's
    /// reason is internal: the public pages say only that it is suspended.
    pub fn unless_active(org: &Organization) -> Result<(), Self> {
        match org.is_suspended() {
            true => Err(Self::OrganizationSuspended {
                name: org.name.clone(),
                reason: None,
            }),
            false => Ok(()),
        }
    }

    /// Like `unless_active`, for the organization's own members, who are told why.
    pub fn unless_active_for_member(org: &Organization) -> Result<(), Self> {
        match &org.suspended_reason {
            Some(reason) => Err(Self::OrganizationSuspended {
                name: org.name.clone(),
                reason: Some(reason.clone()),
            }),
            None => Ok(()),
        }
    }

    /// What the person sees: plain words, never internals.
    pub fn public_message(&self) -> String {
        match self {
            Self::NotFound => "There is nothing at this address. Check the link, or go back to the start.".into(),
            Self::SignInRequired | Self::SignInRequiredAt(_) => "Please sign in to continue.".into(),
            Self::CsrfRejected => "This form has expired or was sent from somewhere else. Go back, reload the page and try again.".into(),
            Self::PayloadTooLarge => "What you sent is too large.".into(),
            Self::BadRequest(_) => "The request could not be understood. Go back, check the form and try again.".into(),
            Self::OrganizationSuspended { name, reason: Some(reason) } => {
                format!("{name} is suspended, so nobody can enter it for now. Reason given: {reason}")
            }
            Self::OrganizationSuspended { name, reason: None } => {
                format!("{name} is suspended, so nobody can enter it for now.")
            }
            Self::TooManyRequests { retry_after_secs } => format!(
                "Too many attempts. For your security, please wait {} and try again.",
                wait_in_words(*retry_after_secs)
            ),
            Self::Unexpected(_) => "Something went wrong on our side. Please try again in a moment; if it keeps happening, tell us the request id below.".into(),
        }
    }
}

fn wait_in_words(secs: i64) -> String {
    match secs {
        ..=60 => "a minute".into(),
        61..=3600 => format!("{} minutes", (secs + 59) / 60),
        _ => "an hour".into(),
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        Self::Unexpected(err.into())
    }
}

impl From<actix_web::Error> for AppError {
    fn from(err: actix_web::Error) -> Self {
        Self::unexpected(err)
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::SignInRequired | Self::SignInRequiredAt(_) => StatusCode::SEE_OTHER,
            Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::OrganizationSuspended { .. } => StatusCode::FORBIDDEN,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Unexpected(err) = self {
            tracing::error!(error = ?err, "request failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        match self {
            Self::SignInRequired => {
                res.insert_header((header::LOCATION, "/login"));
            }
            Self::SignInRequiredAt(location) => {
                res.insert_header((header::LOCATION, location.as_str()));
            }
            Self::TooManyRequests { retry_after_secs } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        // The body is rendered by the error-page middleware, which knows the request id.
        res.finish()
    }
}
