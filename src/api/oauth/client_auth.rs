//! Reading client credentials from a request: `Authorization: Basic` (each half
//! form-urlencoded, RFC 6749 §2.3.1) or `client_id`/`client_secret` in the body, never both.
use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;

use crate::domain::oauth::{ErrorCode, OAuthError};
use crate::services::oauth::clients::Presented;

const MALFORMED: OAuthError = OAuthError::new(
    ErrorCode::InvalidClient,
    "the Authorization header is not valid Basic credentials",
);

pub fn presented(
    req: &HttpRequest,
    body_id: Option<&str>,
    body_secret: Option<&str>,
) -> Result<Presented, OAuthError> {
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok(Presented {
            client_id: body_id.map(str::to_owned),
            secret: body_secret.map(str::to_owned),
            via_basic: false,
        });
    };
    let encoded = header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Basic "))
        .ok_or(MALFORMED)?;
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(MALFORMED)?;
    let (id, secret) = decoded.split_once(':').ok_or(MALFORMED)?;
    if body_secret.is_some() {
        return Err(OAuthError::invalid_request(
            "use one client authentication method, not both",
        ));
    }
    let (id, secret) = (
        form_decode(id).ok_or(MALFORMED)?,
        form_decode(secret).ok_or(MALFORMED)?,
    );
    if body_id.is_some_and(|body_id| body_id != id) {
        return Err(OAuthError::invalid_request(
            "client_id in the body differs from the Authorization header's",
        ));
    }
    Ok(Presented {
        client_id: Some(id),
        secret: Some(secret),
        via_basic: true,
    })
}

fn form_decode(value: &str) -> Option<String> {
    percent_decode_str(&value.replace('+', " "))
        .decode_utf8()
        .ok()
        .map(|value| value.into_owned())
}
