//! CSRF protection for every state-changing request, in one place: a signed double-submit
//! token. Each browser holds a random seed in an HttpOnly cookie; every form carries
//! `seed.mac`, the seed with an HMAC (under the secret key) over the seed and the signed-in
//! user. A POST is refused with 403 before any handler runs when the browser says it comes
//! from another site, or when its token is not the one for this seed and this session, so a
//! value Usher never issued, or one from before a sign-in or sign-out, is worthless.
use actix_session::SessionExt;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::cookies::CookieConfig;
use super::session::{CSRF_BINDING_KEY, USER_ID_KEY};
use crate::error::AppError;

/// Name of the hidden form field.
pub const FIELD: &str = "csrf_token";
/// Header accepted instead of the field, for requests that are not urlencoded forms.
pub const HEADER: &str = "x-csrf-token";
/// Largest form body read for the check; larger urlencoded POSTs are refused.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// This browser's seed, for pages to sign into their forms.
#[derive(Debug, Clone)]
struct Seed(String);

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let config = CookieConfig::of(req.request())?.clone();
    let existing = req
        .cookie(config.csrf_name)
        .map(|c| c.value().to_owned())
        .filter(|seed| seed.len() == 43);
    let seed = existing.clone().unwrap_or_else(generate_seed);
    let binding_before = binding(req.request());
    req.extensions_mut().insert(Seed(seed.clone()));

    if changes_state(req.method()) {
        if from_another_site(&req, &config) {
            tracing::warn!("refused a state-changing request from another site");
            return Ok(req
                .error_response(AppError::CsrfRejected)
                .map_into_right_body());
        }
        let submitted = match submitted_token(&mut req).await {
            Ok(token) => token,
            Err(err) => return Ok(req.error_response(err).map_into_right_body()),
        };
        let valid = match (existing.as_deref(), submitted.as_deref()) {
            (Some(seed), Some(token)) => {
                let expected = sign(&config.csrf_key, seed, &binding_before);
                bool::from(expected.as_bytes().ct_eq(token.as_bytes()))
            }
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
    // The seed of a new browser, and a fresh one whenever the request signed someone in or
    // out: tokens from before are then void.
    let new_seed = if binding(res.request()) != binding_before {
        Some(generate_seed())
    } else {
        existing.is_none().then_some(seed)
    };
    if let Some(seed) = new_seed {
        let cookie = config.build(config.csrf_name, seed);
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res)
}

/// The token for this request's forms: its seed, signed for the session as it is now.
pub fn form_token(req: &HttpRequest) -> String {
    let (Some(Seed(seed)), Ok(config)) = (
        req.extensions().get::<Seed>().cloned(),
        CookieConfig::of(req),
    ) else {
        return String::new();
    };
    sign(&config.csrf_key, &seed, &binding(req))
}

/// What a token is bound to besides its seed: the signed-in session (its user and its own
/// random value), or nobody.
fn binding(req: &HttpRequest) -> String {
    let session = req.get_session();
    let value = |key| {
        session
            .get::<String>(key)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    format!("{}:{}", value(USER_ID_KEY), value(CSRF_BINDING_KEY))
}

fn sign(key: &[u8; 32], seed: &str, binding: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail for a 32-byte key.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(seed.as_bytes());
    mac.update(b"\0");
    mac.update(binding.as_bytes());
    format!(
        "{seed}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn generate_seed() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// What the browser itself says about where the request comes from: `Sec-Fetch-Site`, and
/// `Origin` when it names one (pages with `Referrer-Policy: no-referrer` send "null").
fn from_another_site(req: &ServiceRequest, config: &CookieConfig) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if matches!(header("sec-fetch-site"), Some("cross-site" | "same-site")) {
        return true;
    }
    match header(header::ORIGIN.as_str()) {
        None | Some("null") => false,
        Some(origin) => origin != config.public_origin,
    }
}

/// The token sent with the request: the field of an urlencoded form, or the first field of a
/// multipart form (file uploads, which forms put first), or the form action's query; the
/// header otherwise. Whatever is read of the body is put back for the handler.
async fn submitted_token(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let body = read_body(req).await?;
        let token = field_of(&body);
        req.set_payload(Payload::from(body));
        return Ok(token);
    }
    if let Some(token) = field_of(req.query_string().as_bytes()) {
        return Ok(Some(token));
    }
    if let Some(boundary) = multipart_boundary(&content_type) {
        return first_multipart_field(req, &boundary).await;
    }
    Ok(req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned))
}

fn field_of(urlencoded: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(urlencoded)
        .find(|(key, _)| key == FIELD)
        .map(|(_, value)| value.into_owned())
}

fn multipart_boundary(content_type: &str) -> Option<String> {
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    content_type.split(';').find_map(|param| {
        let (name, value) = param.trim().split_once('=')?;
        (name.eq_ignore_ascii_case("boundary")).then(|| value.trim_matches('"').to_owned())
    })
}

/// Reads a multipart body only as far as its first field, takes the token from it if that
/// field is the token, and puts the bytes read back in front of the rest of the stream: an
/// upload is never buffered whole for the check.
async fn first_multipart_field(
    req: &mut ServiceRequest,
    boundary: &str,
) -> Result<Option<String>, AppError> {
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut head = web::BytesMut::new();
    let token = loop {
        if let Some(found) = token_in_first_part(&head, boundary) {
            break found;
        }
        if head.len() > MAX_FORM_BYTES {
            break None;
        }
        match payload.next().await {
            Some(chunk) => head.extend_from_slice(&chunk.map_err(AppError::unexpected)?),
            None => break None,
        }
    };
    let read = futures_util::stream::once(std::future::ready(Ok(head.freeze())));
    req.set_payload(Payload::Stream {
        payload: Box::pin(read.chain(payload)),
    });
    Ok(token)
}

/// The token in the first part of a multipart body: `Some(Some(token))` when that part is the
/// token field, `Some(None)` when it is another field, `None` while more bytes are needed.
fn token_in_first_part(body: &[u8], boundary: &str) -> Option<Option<String>> {
    let opening = format!("--{boundary}\r\n");
    if body.len() < opening.len() {
        return None;
    }
    let Some(rest) = body.strip_prefix(opening.as_bytes()) else {
        return Some(None);
    };
    let headers_end = find(rest, b"\r\n\r\n")?;
    let headers = String::from_utf8_lossy(&rest[..headers_end]).to_ascii_lowercase();
    let is_token = headers.lines().any(|line| {
        line.starts_with("content-disposition:") && line.contains(&format!("name=\"{FIELD}\""))
    });
    if !is_token {
        return Some(None);
    }
    let value = &rest[headers_end + 4..];
    let end = find(value, format!("\r\n--{boundary}").as_bytes())?;
    Some(std::str::from_utf8(&value[..end]).ok().map(str::to_owned))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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

#[cfg(test)]
mod tests {
    use super::{sign, token_in_first_part};

    #[test]
    fn the_token_is_read_from_the_first_multipart_field() {
        let body: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc.def\r\n--XyZ\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"a.png\"\r\n\r\n\x89PNG";
        assert_eq!(
            token_in_first_part(body, "XyZ"),
            Some(Some("abc.def".into()))
        );
        // Not all there yet: more bytes are needed.
        assert_eq!(token_in_first_part(&body[..30], "XyZ"), None);
        // A first field that is not the token: no token.
        let other = "--XyZ\r\nContent-Disposition: form-data; name=\"logo\"\r\n\r\nx\r\n--XyZ--";
        assert_eq!(token_in_first_part(other.as_bytes(), "XyZ"), Some(None));
    }

    #[test]
    fn tokens_are_bound_to_the_seed_the_key_and_the_user() {
        let key = [7u8; 32];
        let seed = "s".repeat(43);
        let anonymous = sign(&key, &seed, "");
        assert!(anonymous.starts_with(&format!("{seed}.")));
        assert_ne!(anonymous, sign(&key, &seed, "user-1"));
        assert_ne!(anonymous, sign(&[8u8; 32], &seed, ""));
        assert_ne!(anonymous, sign(&key, &"t".repeat(43), ""));
    }
}
