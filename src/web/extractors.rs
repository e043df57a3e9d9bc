//! How the form, query and path extractors answer bad input: with Usher's own error page
//! (status, plain words, request id), never actix's plain-text messages.
use actix_web::error::{PathError, QueryPayloadError, UrlencodedError};
use actix_web::web::{FormConfig, PathConfig, QueryConfig};

use crate::auth::csrf::MAX_FORM_BYTES;
use crate::error::AppError;

pub fn form_config() -> FormConfig {
    FormConfig::default()
        .limit(MAX_FORM_BYTES)
        .error_handler(|err, _| {
            match err {
                UrlencodedError::Overflow { .. } => AppError::PayloadTooLarge,
                other => AppError::BadRequest(other.to_string()),
            }
            .into()
        })
}

pub fn query_config() -> QueryConfig {
    QueryConfig::default()
        .error_handler(|err: QueryPayloadError, _| AppError::BadRequest(err.to_string()).into())
}

/// A path whose parts do not parse names nothing.
pub fn path_config() -> PathConfig {
    PathConfig::default().error_handler(|_: PathError, _| AppError::NotFound.into())
}
