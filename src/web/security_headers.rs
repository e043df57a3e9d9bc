//! Security headers on every response.
use actix_web::middleware::DefaultHeaders;

/// No inline script, nothing from other origins, no framing, forms only to Usher itself.
/// Pages whose URL carries a token replace the Referrer-Policy with `no-referrer` themselves.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub fn middleware(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        // Pages show who is signed in and carry tokens: no cache keeps them. Responses that
        // may be cached (stylesheets, logos) say so themselves, and keep their own header.
        .add(("Cache-Control", "no-store"));
    if https {
        headers.add((
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        headers
    }
}
