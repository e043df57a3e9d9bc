//! Errors of the JSON face: a status and `{"error": code, "error_description": words}`, the
//! shape OAuth 2.0 (RFC 6749 §5.2) uses, so clients read every error the same way.
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::web::JsonConfig;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::oauth::{ErrorCode, OAuthError};
use crate::services;

#[derive(Debug, thiserror::Error)]
#[error("{code}: {description}")]
pub struct ApiError {
    status: StatusCode,
    /// A stable, machine-readable code.
    code: &'static str,
    /// Plain words for the developer reading the response.
    description: String,
    /// The challenge of a 401 (RFC 6749 §5.2, RFC 6750 §3).
    www_authenticate: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            code,
            description: description.into(),
            www_authenticate: None,
        }
    }

    /// An OAuth 2.0 refusal: 401 with a challenge for a client or token that did not
    /// authenticate, 400 for the rest.
    pub fn oauth(err: &OAuthError) -> Self {
        let (status, challenge) = match err.code {
            ErrorCode::InvalidClient => (StatusCode::UNAUTHORIZED, Some(r#"Basic realm="usher""#)),
            ErrorCode::InvalidToken => (
                StatusCode::UNAUTHORIZED,
                Some(r#"Bearer realm="usher", error="invalid_token""#),
            ),
            _ => (StatusCode::BAD_REQUEST, None),
        };
        Self {
            www_authenticate: challenge,
            ..Self::new(status, err.code.as_str(), err.description)
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing at this address.",
        )
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    error_description: &'a str,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, error = %self.description, "API request failed");
        }
        let mut res = HttpResponse::build(self.status);
        if let Some(challenge) = self.www_authenticate {
            res.insert_header((actix_web::http::header::WWW_AUTHENTICATE, challenge));
        }
        res.json(Body {
            error: self.code,
            error_description: &self.description,
        })
    }
}

impl From<services::Error> for ApiError {
    fn from(err: services::Error) -> Self {
        use services::Error;
        match err {
            Error::NotFound => Self::not_found(),
            Error::Conflict(conflict) => {
                Self::new(StatusCode::CONFLICT, "conflict", conflict.to_string())
            }
            Error::Suspended { name, .. } => Self::new(
                StatusCode::FORBIDDEN,
                "organization_suspended",
                format!("{name} is suspended."),
            ),
            Error::Throttled { retry_after_secs } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!("Retry in {retry_after_secs} seconds."),
            ),
            Error::OAuth(err) => Self::oauth(&err),
            Error::Forbidden => Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed."),
            Error::Refused(refusal) => {
                Self::new(StatusCode::FORBIDDEN, "refused", refusal.message())
            }
            Error::Unavailable(err) => {
                tracing::error!(error = %err, "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "temporarily_unavailable",
                    "The database cannot be reached; retry in a moment.",
                )
            }
            Error::Unexpected(err) => {
                tracing::error!(error = ?err, "API request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "Something went wrong on our side.",
                )
            }
        }
    }
}

/// Unknown paths under a JSON scope.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// A JSON body that does not parse is a 400 in JSON, not actix's plain text.
pub fn json_config() -> JsonConfig {
    JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _| {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", err.to_string()).into()
        })
}

/// Errors that did not come as JSON (a method the route does not take, a body actix refused)
/// get the JSON error shape too.
pub fn json_errors<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_json = res
            .response()
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if is_json {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let code = match status.as_u16() {
            404 => "not_found",
            405 => "method_not_allowed",
            413 => "request_too_large",
            415 => "unsupported_media_type",
            400..=499 => "invalid_request",
            _ => "server_error",
        };
        let description = status.canonical_reason().unwrap_or("Error");
        let json = ApiError::new(status, code, description).error_response();
        let (req, _) = res.into_parts();
        let res: ServiceResponse<EitherBody<B, BoxBody>> =
            ServiceResponse::new(req, json).map_into_right_body();
        Ok(ErrorHandlerResponse::Response(res))
    })
}
