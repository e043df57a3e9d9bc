//! The branding form: what it accepts, what it refuses (422, 413, 403, 404) and that refusals
//! and previews write nothing.
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};

use super::*;
use crate::helpers::{PASSWORD, location};

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
