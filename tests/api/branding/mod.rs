//! An organization's branding: the admin portal's multipart form (logo, colours, preview) in
//! `form`, and the logo it serves and the pages and emails that show it in `shown`. Here: the
//! images, the multipart bodies a browser would send, and what the tests read back.
mod form;
mod shown;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, StatusCode};

use crate::helpers::{PASSWORD, TestApp, location, spawn_app};

/// Tiny valid images, as an image library writes them (1×1 pixel, #1a56db).
const PNG: &str = "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63900abb0d0001d9014c26f61d1b0000000049454e44ae426082";
const JPEG: &str = "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffdb0043011112121815182f1a1a2f634238426363636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363ffc00011080001000103012200021101031101ffc4001500010100000000000000000000000000000005ffc40014100100000000000000000000000000000000ffc4001501010100000000000000000000000000000506ffc40014110100000000000000000000000000000000ffda000c03010002110311003f0090029063ffd9";
const WEBP: &str = "524946461e000000574542505650384c110000002f000000000750ab6a74bbff8188e87f0000";
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x1a\x56\xdb\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
const SVG: &[u8] = br#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><script>alert(document.cookie)</script></svg>"#;

const BRANDING: &str = "/o/acme/admin/branding";
const BOUNDARY: &str = "usher-test-boundary-5e1f0c";

fn image(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// One part of a multipart body.
struct Part {
    name: &'static str,
    filename: Option<&'static str>,
    content_type: Option<&'static str>,
    data: Vec<u8>,
}

fn text(name: &'static str, value: &str) -> Part {
    Part {
        name,
        filename: None,
        content_type: None,
        data: value.as_bytes().to_vec(),
    }
}

/// A file part that says whatever its sender likes about itself.
fn file(filename: &'static str, content_type: &'static str, data: Vec<u8>) -> Part {
    Part {
        name: "logo",
        filename: Some(filename),
        content_type: Some(content_type),
        data,
    }
}

/// The body a browser sends for the form, parts in the order given.
fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match part.filename {
            Some(filename) => format!(
                "Content-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\n",
                part.name
            ),
            None => format!("Content-Disposition: form-data; name=\"{}\"\r\n", part.name),
        };
        body.extend_from_slice(disposition.as_bytes());
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts the branding form as-is (no CSRF token added).
async fn post_raw(who: &TestApp, path: &str, parts: &[Part]) -> Response {
    who.client
        .post(who.url(path))
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(parts))
        .send()
        .await
        .unwrap()
}

/// Posts the branding form as a browser does: the CSRF token first, then `parts`.
async fn post_branding(who: &TestApp, path: &str, mut parts: Vec<Part>) -> Response {
    let token = who.csrf().await;
    parts.insert(0, text("csrf_token", &token));
    post_raw(who, path, &parts).await
}

/// Saves a logo and colours; the answer must be the redirect back to the form.
async fn save(who: &TestApp, logo: Option<Vec<u8>>, primary: &str, background: &str) {
    // No file chosen: browsers send an empty part with an empty file name.
    let parts = vec![
        file("", "application/octet-stream", logo.unwrap_or_default()),
        text("primary_color", primary),
        text("background_color", background),
        text("action", "save"),
    ];
    let res = post_branding(who, BRANDING, parts).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "save refused");
    assert_eq!(location(&res), BRANDING);
}

/// Acme (anyone may sign up) with its owner signed in, in a browser of their own; `app` is
/// the operator's browser.
async fn acme_with_owner() -> (TestApp, TestApp) {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", true).await;
    app.invite_owner("acme", "owner@example.com").await;
    let owner = app.other_browser();
    owner
        .accept_invitation_as_new("owner@example.com", "Olive Owner", PASSWORD)
        .await;
    assert_eq!(owner.get(BRANDING).await.status(), StatusCode::OK);
    (app, owner)
}

async fn scalar_text(app: &TestApp, sql: &'static str) -> Option<String> {
    sqlx::query_scalar(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn stored_logo(app: &TestApp) -> Option<Vec<u8>> {
    sqlx::query_scalar("SELECT bytes FROM organization_logos")
        .fetch_optional(app.store.pool())
        .await
        .unwrap()
}

async fn branding_events(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE action = 'organization.branding_changed'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap()
}

/// What a refused submission must have left alone.
async fn assert_nothing_written(app: &TestApp) {
    assert_eq!(app.count("organization_logos").await, 0);
    assert_eq!(branding_events(app).await, 0);
    let colours: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT primary_color, background_color, logo_etag FROM organizations WHERE slug = 'acme'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(colours, (None, None, None));
}

/// The value of the hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}
