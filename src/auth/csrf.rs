//! CSRF protection for every state-changing request, in one place: a double-submit token.
//! Each browser gets a random token in an HttpOnly cookie; every form carries it in a hidden
//! field; a POST whose field does not match its cookie is refused with 403 before any
//! handler runs. Anonymous visitors need no server-side session for this.
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

use crate::error::AppError;

/// Name of the hidden form field.
pub const FIELD: &str = "csrf_token";
/// Header accepted instead of the field, for requests that are not urlencoded forms.
pub const HEADER: &str = "x-csrf-token";
/// Largest form body read for the check; larger urlencoded POSTs are refused.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Cookie settings, decided once from the public URL.
#[derive(Debug, Clone)]
pub struct CsrfConfig {
    pub cookie_name: &'static str,
    pub secure: bool,
}

/// The token of the current request, for pages to put into their forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let config = req
        .app_data::<web::Data<CsrfConfig>>()
        .cloned()
        .ok_or_else(|| AppError::unexpected("CSRF config missing"))?;
    let existing = req
        .cookie(config.cookie_name)
        .map(|c| c.value().to_owned())
        .filter(|token| token.len() == 43);
    let token = existing.clone().unwrap_or_else(generate);
    req.extensions_mut().insert(CsrfToken(token.clone()));

    if changes_state(req.method()) {
        let submitted = match submitted_token(&mut req).await {
            Ok(token) => token,
            Err(err) => return Ok(req.error_response(err).map_into_right_body()),
        };
        let valid = match (existing.as_deref(), submitted.as_deref()) {
            (Some(cookie), Some(form)) => bool::from(cookie.as_bytes().ct_eq(form.as_bytes())),
            _ => false,
        };
        if !valid {
            tracing::warn!("refused a state-changing request without a valid CSRF token");
            return Ok(req
                .error_response(AppError::CsrfRejected)
                .map_into_right_body());
        }
    }

    let mut res = next.call(req).await?.map_into_left_body();
    if existing.is_none() {
        let cookie = Cookie::build(config.cookie_name, token)
            .path("/")
            .http_only(true)
            .secure(config.secure)
            .same_site(SameSite::Lax)
            .finish();
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res)
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn generate() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The token sent with the request: the form field of an urlencoded body (the body is put
/// back for the handler), or the header otherwise.
async fn submitted_token(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned));
    }
    let body = read_body(req).await?;
    let token = url::form_urlencoded::parse(&body)
        .find(|(key, _)| key == FIELD)
        .map(|(_, value)| value.into_owned());
    req.set_payload(Payload::from(body));
    Ok(token)
}

async fn read_body(req: &mut ServiceRequest) -> Result<web::Bytes, AppError> {
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(AppError::unexpected)?;
        if body.len() + chunk.len() > MAX_FORM_BYTES {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
