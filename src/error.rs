//! The error type of the browser face's handlers and extractors. It decides the status; the
//! error-page middleware turns it into a page with the request id and no internals.
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

use crate::services;

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
    #[error("not allowed")]
    Forbidden,
    #[error("conflict: {0}")]
    Conflict(services::Conflict),
    #[error("refused: {}", .0.message())]
    Refused(crate::domain::MembershipRefusal),
    /// `reason` is the operator's, shown to the organization's members only.
    #[error("organization {name} is suspended")]
    OrganizationSuspended {
        name: String,
        reason: Option<String>,
    },
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: i64 },
    /// The database cannot be reached for now: worth another try in a moment.
    #[error("service unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    pub fn unexpected(cause: impl std::fmt::Display) -> Self {
        Self::Unexpected(anyhow::anyhow!("{cause}"))
    }

    /// What the person sees: plain words, never internals.
    pub fn public_message(&self) -> String {
        match self {
            Self::NotFound => "There is nothing at this address. Check the link, or go back to the start.".into(),
            Self::SignInRequired | Self::SignInRequiredAt(_) => "Please sign in to continue.".into(),
            Self::CsrfRejected => "This form has expired or was sent from somewhere else. Go back, reload the page and try again.".into(),
            Self::PayloadTooLarge => "What you sent is too large.".into(),
            Self::BadRequest(_) => "The request could not be understood. Go back, check the form and try again.".into(),
            Self::Forbidden => "You are not allowed to do this.".into(),
            Self::Conflict(_) => "This collides with something that exists already. Go back, reload the page and try again.".into(),
            Self::Refused(refusal) => refusal.message().into(),
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
            Self::Unavailable(_) => "Usher cannot reach its database right now. Nothing was changed. Please try again in a moment.".into(),
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

impl From<services::Error> for AppError {
    fn from(err: services::Error) -> Self {
        match err {
            services::Error::NotFound => Self::NotFound,
            services::Error::Conflict(conflict) => Self::Conflict(conflict),
            services::Error::Suspended { name, reason } => {
                Self::OrganizationSuspended { name, reason }
            }
            services::Error::Throttled { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            services::Error::Forbidden => Self::Forbidden,
            services::Error::Refused(refusal) => Self::Refused(refusal),
            services::Error::OAuth(err) => Self::BadRequest(err.description.to_owned()),
            services::Error::Unavailable(err) => Self::Unavailable(err),
            services::Error::Unexpected(err) => Self::Unexpected(err),
        }
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
            Self::CsrfRejected | Self::Forbidden | Self::Refused(_) => StatusCode::FORBIDDEN,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::OrganizationSuspended { .. } => StatusCode::FORBIDDEN,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unexpected(err) => tracing::error!(error = ?err, "request failed"),
            Self::Unavailable(err) => tracing::error!(error = %err, "database unavailable"),
            _ => {}
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
            Self::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        // The body is rendered by the error-page middleware, which knows the request id.
        res.finish()
    }
}
