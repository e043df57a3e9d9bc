//! Where the saved branding shows: the logo route and its caching, brand.css, the branded
//! pages and the invitation mail.
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};

use super::*;

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
