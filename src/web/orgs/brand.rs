//! An organization's branding as its pages load it: `/o/{slug}/brand.css`, its colours as a
//! stylesheet (inline styles would need a weaker CSP), and `/o/{slug}/logo`, its uploaded logo.
//! Both are public: the sign-in page shows them before anyone signs in.
use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};

use crate::domain::Slug;
use crate::domain::token::hex_sha256;
use crate::error::AppError;
use crate::services::branding::{self, LogoFetch};
use crate::services::directory;
use crate::state::AppState;

/// A year: pages reference the logo with its version in the URL, so a new logo is a new URL.
const LOGO_MAX_AGE: &str = "public, max-age=31536000";

/// The custom properties that carry an organization's colours, set on `selector`: `:root` on
/// its own pages, the preview's box in the portal. Takes only colours parsed by
/// `parse_color` (`#rrggbb`), which cannot break out of the rule.
pub fn stylesheet(selector: &str, primary: Option<&str>, background: Option<&str>) -> String {
    let mut properties = String::new();
    if let Some(color) = primary {
        properties.push_str(&format!(" --accent: {color}; --accent-dark: {color};"));
    }
    if let Some(color) = background {
        properties.push_str(&format!(" --bg: {color};"));
    }
    format!("{selector} {{{properties} }}\n")
}

/// The organization's colours. Revalidated on every use (`no-cache` with an ETag, answered
/// by a 304 while they stay the same): its URL carries no version, and new colours should show
/// as soon as they are saved.
pub async fn css(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = Slug::from_path(&slug).ok_or(AppError::NotFound)?;
    let org = directory::organization_by_slug(&state, &slug).await?;
    if !org.has_colors() {
        return Err(AppError::NotFound);
    }
    let css = stylesheet(
        ":root",
        org.primary_color.as_deref(),
        org.background_color.as_deref(),
    );
    let etag = EntityTag::new_strong(hex_sha256(css.as_bytes())[..32].to_owned());
    let cache = (header::CACHE_CONTROL, "public, no-cache");
    if holds(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header(header::ETag(etag))
            .insert_header(cache)
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(header::ETag(etag))
        .insert_header(cache)
        .body(css))
}

/// The uploaded logo, with the content type sniffed when it was uploaded and `nosniff`, so
/// that no browser takes it for anything else. Cached for a year (`immutable` when the URL
/// names the version being served); 304 for a matching `If-None-Match`; 404 without a logo.
pub async fn logo(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = Slug::from_path(&slug).ok_or(AppError::NotFound)?;
    let fetched = branding::logo(&state, &slug, |etag| {
        holds(&req, &EntityTag::new_strong(etag.to_owned()))
    })
    .await?;
    let etag = match &fetched {
        LogoFetch::Unchanged { etag } => etag.as_str(),
        LogoFetch::Image(image) => image.etag(),
    };
    let versioned = url::form_urlencoded::parse(req.query_string().as_bytes())
        .any(|(key, value)| key == "v" && value == etag);
    let cache = if versioned {
        format!("{LOGO_MAX_AGE}, immutable")
    } else {
        LOGO_MAX_AGE.to_owned()
    };
    let tag = header::ETag(EntityTag::new_strong(etag.to_owned()));
    let mut res = match &fetched {
        LogoFetch::Unchanged { .. } => HttpResponse::NotModified(),
        LogoFetch::Image(image) => {
            let mut res = HttpResponse::Ok();
            res.content_type(image.kind().content_type());
            res
        }
    };
    res.insert_header(tag)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    Ok(match fetched {
        LogoFetch::Unchanged { .. } => res.finish(),
        LogoFetch::Image(image) => res.body(image.into_bytes()),
    })
}

/// True when the request's `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks
/// for this header) or is `*`.
fn holds(req: &HttpRequest, etag: &EntityTag) -> bool {
    match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(etag)),
        None => false,
    }
}
