//! Security headers on every response.
use actix_web::middleware::DefaultHeaders;

/// No inline script, nothing from other origins, no framing. Pages whose URL carries a token
/// replace the Referrer-Policy with `no-referrer` themselves.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

pub fn middleware(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"));
    if https {
        headers.add((
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        headers
    }
}
