//! An organization's branding: the admin portal's multipart form (logo, colours, preview), the
//! logo it serves, and the pages and emails that show them.
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
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

#[tokio::test]
async fn png_jpeg_and_webp_are_accepted_whatever_their_name_and_served_as_sniffed() {
    let (app, owner) = acme_with_owner().await;
    for (hex, content_type) in [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (WEBP, "image/webp"),
    ] {
        // The name and the type the browser claims say nothing true: the bytes decide.
        let parts = vec![
            file("logo.txt", "text/plain", image(hex)),
            text("primary_color", ""),
            text("background_color", ""),
            text("action", "save"),
        ];
        let res = post_branding(&owner, BRANDING, parts).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{content_type}");
        let logo = app.other_browser().get("/o/acme/logo").await;
        assert_eq!(logo.status(), StatusCode::OK);
        assert_eq!(logo.headers()[CONTENT_TYPE], content_type);
        assert_eq!(logo.headers()["x-content-type-options"], "nosniff");
        assert!(
            logo.headers()[CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
        assert!(logo.headers().contains_key(ETAG));
        assert_eq!(logo.bytes().await.unwrap().to_vec(), image(hex));
    }
    let page = owner.get_html(BRANDING).await;
    assert!(page.contains("The branding was saved"), "{page}");
    assert_eq!(branding_events(&app).await, 3);
}

#[tokio::test]
async fn svg_gif_and_a_text_file_named_png_are_refused_and_nothing_is_written() {
    let (app, owner) = acme_with_owner().await;
    let cases = [
        (
            file("logo.svg", "image/svg+xml", SVG.to_vec()),
            "SVG images are not accepted",
        ),
        (
            file("logo.png", "image/png", SVG.to_vec()),
            "SVG images are not accepted",
        ),
        (
            file("logo.gif", "image/gif", GIF.to_vec()),
            "not a PNG, JPEG or WebP",
        ),
        (
            file("logo.png", "image/png", b"hello, I am a text file".to_vec()),
            "not a PNG, JPEG or WebP",
        ),
    ];
    for (part, message) in cases {
        for action in ["save", "preview"] {
            let parts = vec![
                file(
                    part.filename.unwrap(),
                    part.content_type.unwrap(),
                    part.data.clone(),
                ),
                text("primary_color", "#aa3300"),
                text("background_color", ""),
                text("action", action),
            ];
            let res = post_branding(&owner, BRANDING, parts).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
            let html = res.text().await.unwrap();
            assert!(html.contains(message), "{html}");
            assert!(
                html.contains("id=\"logo-error\""),
                "the message is beside the field"
            );
            assert!(!html.contains("Preview of your sign-in page"));
        }
    }
    assert_nothing_written(&app).await;
    assert_eq!(
        app.get("/o/acme/logo").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_logo_one_byte_over_256_kb_gets_413_and_exactly_256_kb_is_accepted() {
    let (app, owner) = acme_with_owner().await;
    let padded = |len: usize| {
        let mut bytes = image(PNG);
        bytes.resize(len, 0);
        bytes
    };
    let parts = vec![
        file("big.png", "image/png", padded(256 * 1024 + 1)),
        text("primary_color", "#aa3300"),
        text("action", "save"),
    ];
    let res = post_branding(&owner, BRANDING, parts).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = res.text().await.unwrap();
    assert!(html.contains("larger than 256 KB"), "{html}");
    assert!(
        html.contains("value=\"#aa3300\""),
        "the other fields are kept"
    );
    assert_nothing_written(&app).await;

    let parts = vec![
        file("big.png", "image/png", padded(256 * 1024)),
        text("action", "save"),
    ];
    let res = post_branding(&owner, BRANDING, parts).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored_logo(&app).await.unwrap().len(), 256 * 1024);
}

#[tokio::test]
async fn invalid_colours_come_back_beside_their_field_with_422() {
    let (app, owner) = acme_with_owner().await;
    for (primary, background, field) in [
        ("red", "", "primary_color"),
        ("#aa330", "", "primary_color"),
        ("", "#ggffff", "background_color"),
        ("", "url(javascript:alert(1))", "background_color"),
    ] {
        let parts = vec![
            file("logo.png", "image/png", image(PNG)),
            text("primary_color", primary),
            text("background_color", background),
            text("action", "save"),
        ];
        let res = post_branding(&owner, BRANDING, parts).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{html}");
        assert!(html.contains("Enter a colour like #1a56db"));
        assert!(
            hidden(&html, "carried_logo").is_some(),
            "the valid logo is kept for the next try"
        );
    }
    assert_nothing_written(&app).await;
}

#[tokio::test]
async fn preview_renders_the_sign_in_page_and_saves_nothing_until_save() {
    let (app, owner) = acme_with_owner().await;
    let parts = vec![
        file("logo.png", "image/png", image(PNG)),
        text("primary_color", "#AA3300"),
        text("background_color", "#fffbe6"),
        text("action", "preview"),
    ];
    let res = post_branding(&owner, BRANDING, parts).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Preview of your sign-in page"));
    assert!(html.contains("src=\"data:image/png;base64,"), "{html}");
    // The preview's colours come as a stylesheet of the portal's (no inline styles).
    assert!(
        html.contains("href=\"/o/acme/admin/branding/preview.css?primary_color=%23aa3300&")
            && html.contains("background_color=%23fffbe6\">"),
        "{html}"
    );
    let css = owner
        .get(
            "/o/acme/admin/branding/preview.css?primary_color=%23aa3300&background_color=%23fffbe6",
        )
        .await;
    assert_eq!(css.status(), StatusCode::OK);
    let css = css.text().await.unwrap();
    assert!(css.contains(".brand-preview") && css.contains("--accent: #aa3300"));
    assert!(css.contains("--bg: #fffbe6"));
    assert_nothing_written(&app).await;

    // Save after the preview: the logo comes back from the page, not from a second upload.
    let carried = hidden(&html, "carried_logo").expect("the previewed logo is carried");
    let parts = vec![
        file("", "application/octet-stream", Vec::new()),
        text("carried_logo", &carried),
        text("primary_color", "#aa3300"),
        text("background_color", "#fffbe6"),
        text("action", "save"),
    ];
    let res = post_branding(&owner, BRANDING, parts).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored_logo(&app).await, Some(image(PNG)));
}

#[tokio::test]
async fn saving_writes_the_branding_and_audits_it_once() {
    let (app, owner) = acme_with_owner().await;
    save(&owner, Some(image(WEBP)), "#aa3300", "#ffffff").await;
    let row: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT primary_color, background_color, logo_etag FROM organizations WHERE slug = 'acme'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(row.0.as_deref(), Some("#aa3300"));
    assert_eq!(row.1.as_deref(), Some("#ffffff"));
    assert_eq!(row.2.unwrap().len(), 32);
    assert_eq!(stored_logo(&app).await, Some(image(WEBP)));
    let (actor, details): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT actor_email, details FROM audit_events WHERE action = 'organization.branding_changed'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(actor.as_deref(), Some("owner@example.com"));
    let details: serde_json::Value = serde_json::from_str(&details.unwrap()).unwrap();
    assert_eq!(details["primary_color"], "#aa3300");
    assert_eq!(details["logo"]["content_type"], "image/webp");

    // The same values again change nothing, and record nothing.
    save(&owner, None, "#aa3300", "#ffffff").await;
    assert_eq!(branding_events(&app).await, 1);
    // Removing the logo is a change of its own.
    let parts = vec![
        text("remove_logo", "on"),
        text("primary_color", "#aa3300"),
        text("background_color", "#ffffff"),
        text("action", "save"),
    ];
    assert_eq!(
        post_branding(&owner, BRANDING, parts).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(branding_events(&app).await, 2);
    assert_eq!(app.count("organization_logos").await, 0);
    assert_eq!(
        app.get("/o/acme/logo").await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(!app.get_html("/o/acme/login").await.contains("/o/acme/logo"));
}

#[tokio::test]
async fn the_logo_is_revalidated_by_its_etag_and_versioned_in_the_pages() {
    let (app, owner) = acme_with_owner().await;
    let visitor = app.other_browser();
    assert_eq!(
        visitor.get("/o/acme/logo").await.status(),
        StatusCode::NOT_FOUND,
        "no logo yet"
    );
    save(&owner, Some(image(PNG)), "", "").await;
    let first = visitor.get("/o/acme/logo").await;
    let etag = first.headers()[ETAG].to_str().unwrap().to_owned();
    let version = scalar_text(&app, "SELECT logo_etag FROM organizations")
        .await
        .unwrap();
    assert_eq!(etag, format!("\"{version}\""));

    let again = visitor
        .client
        .get(visitor.url("/o/acme/logo"))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let stale = visitor
        .client
        .get(visitor.url("/o/acme/logo"))
        .header(IF_NONE_MATCH, "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);

    // The pages name the version, which the long cache may keep for good.
    let login = visitor.get_html("/o/acme/login").await;
    let src = format!("src=\"/o/acme/logo?v={version}\"");
    assert!(login.contains(&src), "{login}");
    let versioned = visitor.get(&format!("/o/acme/logo?v={version}")).await;
    assert!(
        versioned.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );

    // A new logo is a new version: new ETag, new URL in the pages.
    save(&owner, Some(image(JPEG)), "", "").await;
    let newer = scalar_text(&app, "SELECT logo_etag FROM organizations")
        .await
        .unwrap();
    assert_ne!(newer, version);
    let login = visitor.get_html("/o/acme/login").await;
    assert!(login.contains(&format!("src=\"/o/acme/logo?v={newer}\"")));
    let fresh = visitor
        .client
        .get(visitor.url("/o/acme/logo"))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        fresh.status(),
        StatusCode::OK,
        "the old ETag no longer matches"
    );
    assert_eq!(fresh.bytes().await.unwrap().to_vec(), image(JPEG));
}

#[tokio::test]
async fn the_sign_in_sign_up_and_invitation_pages_show_the_logo_and_colours() {
    let (app, owner) = acme_with_owner().await;
    save(&owner, Some(image(PNG)), "#aa3300", "#fffbe6").await;
    let version = scalar_text(&app, "SELECT logo_etag FROM organizations")
        .await
        .unwrap();
    let src = format!("src=\"/o/acme/logo?v={version}\"");

    app.invite_owner("acme", "newcomer@example.com").await;
    let mail = app
        .last_mail_with_subject("newcomer@example.com", "invited")
        .await;
    let invitation = mail.link_to("/invitations/").replace(&app.address, "");
    let visitor = app.other_browser();
    for path in ["/o/acme/login", "/o/acme/signup", invitation.as_str()] {
        let res = visitor.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&src), "{path}: {html}");
        assert!(html.contains("href=\"/o/acme/brand.css\""), "{path}");
        assert!(html.contains("Acme"), "{path}");
    }

    let css = visitor.get("/o/acme/brand.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()[CACHE_CONTROL], "public, no-cache");
    let etag = css.headers()[ETAG].to_str().unwrap().to_owned();
    let css = css.text().await.unwrap();
    assert!(css.contains("--accent: #aa3300"), "{css}");
    assert!(css.contains("--bg: #fffbe6"), "{css}");
    let again = visitor
        .client
        .get(visitor.url("/o/acme/brand.css"))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // New colours: a new ETag, so the next revalidation gets them at once.
    save(&owner, None, "#0b5d1e", "#fffbe6").await;
    let changed = visitor
        .client
        .get(visitor.url("/o/acme/brand.css"))
        .header(IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert!(changed.text().await.unwrap().contains("--accent: #0b5d1e"));
}

#[tokio::test]
async fn the_invitation_email_carries_the_logo_and_primary_colour_in_its_html() {
    let (app, owner) = acme_with_owner().await;
    save(&owner, Some(image(PNG)), "#aa3300", "").await;
    let version = scalar_text(&app, "SELECT logo_etag FROM organizations")
        .await
        .unwrap();
    app.invite_owner("acme", "newcomer@example.com").await;
    let (html, text): (String, String) = sqlx::query_as(
        "SELECT html_body, text_body FROM outbox WHERE recipient = 'newcomer@example.com'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let logo = format!("src=\"{}/o/acme/logo?v={version}\"", app.address);
    assert!(html.contains(&logo), "{html}");
    assert!(html.contains("background:#aa3300"), "{html}");
    assert!(!text.contains("/o/acme/logo"), "the text part stays plain");
    // The absolute address works for a mail client, which has no cookies.
    let fetched = reqwest::get(format!("{}/o/acme/logo?v={version}", app.address))
        .await
        .unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_uploaded_logo_wins_over_the_operators_address_and_clears_it() {
    let (app, owner) = acme_with_owner().await;
    app.exec("UPDATE organizations SET logo_url = 'https://cdn.example.com/acme.png' WHERE slug = 'acme'")
        .await;
    assert!(
        app.get_html("/o/acme/login")
            .await
            .contains("https://cdn.example.com/acme.png")
    );
    save(&owner, Some(image(PNG)), "", "").await;
    let login = app.get_html("/o/acme/login").await;
    assert!(!login.contains("cdn.example.com"), "{login}");
    assert!(login.contains("/o/acme/logo?v="));
    assert_eq!(
        scalar_text(
            &app,
            "SELECT logo_url FROM organizations WHERE slug = 'acme'"
        )
        .await,
        None
    );
}

#[tokio::test]
async fn only_the_orgs_owners_and_admins_reach_its_branding() {
    let (app, owner) = acme_with_owner().await;
    app.create_org("Globex", "globex", "shared", false).await;
    let join = |org: &'static str, email: &'static str| {
        let app = &app;
        async move {
            app.invite_owner(org, email).await;
            let who = app.other_browser();
            who.accept_invitation_as_new(email, "Person", PASSWORD)
                .await;
            who
        }
    };
    let member = join("acme", "member@example.com").await;
    let admin = join("acme", "admin@example.com").await;
    let other_owner = join("globex", "globex-owner@example.com").await;
    app.exec("UPDATE memberships SET role = 'member' WHERE user_id = (SELECT id FROM users WHERE email = 'member@example.com')").await;
    app.exec("UPDATE memberships SET role = 'admin' WHERE user_id = (SELECT id FROM users WHERE email = 'admin@example.com')").await;
    let anonymous = app.other_browser();

    let preview_css = "/o/acme/admin/branding/preview.css?primary_color=%23aa3300";
    let attempt = || {
        vec![
            file("logo.png", "image/png", image(PNG)),
            text("primary_color", "#aa3300"),
            text("action", "save"),
        ]
    };
    for (who, name) in [
        (&member, "member"),
        (&other_owner, "owner of another org"),
        (&app, "operator"),
    ] {
        assert_eq!(
            who.get(BRANDING).await.status(),
            StatusCode::NOT_FOUND,
            "{name}"
        );
        assert_eq!(
            who.get(preview_css).await.status(),
            StatusCode::NOT_FOUND,
            "{name}"
        );
        assert_eq!(
            post_branding(who, BRANDING, attempt()).await.status(),
            StatusCode::NOT_FOUND,
            "{name}"
        );
    }
    assert_eq!(
        anonymous.get(BRANDING).await.status(),
        StatusCode::SEE_OTHER
    );
    let res = post_branding(&anonymous, BRANDING, attempt()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/o/acme/login");
    assert_nothing_written(&app).await;

    assert_eq!(admin.get(BRANDING).await.status(), StatusCode::OK);
    assert_eq!(admin.get(preview_css).await.status(), StatusCode::OK);
    assert_eq!(owner.get(BRANDING).await.status(), StatusCode::OK);
    let res = post_branding(&admin, BRANDING, attempt()).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "an admin may change it"
    );
    assert_eq!(branding_events(&app).await, 1);
}

#[tokio::test]
async fn a_multipart_post_without_its_csrf_token_first_is_refused() {
    let (app, owner) = acme_with_owner().await;
    let token = owner.csrf().await;
    let without = [
        file("logo.png", "image/png", image(PNG)),
        text("primary_color", "#aa3300"),
        text("action", "save"),
    ];
    assert_eq!(
        post_raw(&owner, BRANDING, &without).await.status(),
        StatusCode::FORBIDDEN
    );
    let token_last = [
        file("logo.png", "image/png", image(PNG)),
        text("primary_color", "#aa3300"),
        text("action", "save"),
        text("csrf_token", &token),
    ];
    assert_eq!(
        post_raw(&owner, BRANDING, &token_last).await.status(),
        StatusCode::FORBIDDEN,
        "the token must be the first field"
    );
    let wrong_token = [
        text("csrf_token", "forged.value"),
        file("logo.png", "image/png", image(PNG)),
        text("action", "save"),
    ];
    assert_eq!(
        post_raw(&owner, BRANDING, &wrong_token).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_nothing_written(&app).await;
}

#[tokio::test]
async fn weak_contrast_is_warned_about_and_can_still_be_saved() {
    let (app, owner) = acme_with_owner().await;
    let parts = vec![
        text("primary_color", "#ffdd00"),
        text("background_color", "#333333"),
        text("action", "preview"),
    ];
    let html = post_branding(&owner, BRANDING, parts)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"primary_color-warning\""), "{html}");
    assert!(html.contains("id=\"background_color-warning\""), "{html}");
    assert!(html.contains("below the 4.5:1 of WCAG AA"));
    save(&owner, None, "#ffdd00", "#333333").await;
    assert_eq!(branding_events(&app).await, 1);
    let page = owner.get_html(BRANDING).await;
    assert!(
        page.contains("id=\"primary_color-warning\""),
        "saved colours are still flagged"
    );

    save(&owner, None, "#1a56db", "#ffffff").await;
    assert!(!owner.get_html(BRANDING).await.contains("-warning\""));
}

#[tokio::test]
async fn far_larger_uploads_are_refused_with_413_too() {
    let (app, owner) = acme_with_owner().await;
    // 1 MB is read to its end and dropped: the form comes back with the reason. 5 MB passes
    // the limit of the whole body and is refused as soon as it does.
    for (len, form_again) in [(1024 * 1024, true), (5 * 1024 * 1024, false)] {
        let mut bytes = image(PNG);
        bytes.resize(len, 0);
        let parts = vec![file("big.png", "image/png", bytes), text("action", "save")];
        let res = post_branding(&owner, BRANDING, parts).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{len}");
        let html = res.text().await.unwrap();
        assert_eq!(html.contains("larger than 256 KB"), form_again, "{len}");
        assert!(html.contains("too large") || form_again, "{html}");
    }
    assert_nothing_written(&app).await;
}
