//! What an outsider tried and must not get: the dev outbox behind a proxy, forged CSRF tokens,
//! mail floods, plain-text error answers, readable data files, internal reasons, stale setup
//! links, cached pages, short passwords.
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use usher::config::RecipientMailLimit;
use usher::domain::PasswordRules;

use crate::helpers::{
    PASSWORD, TestDb, browser, csrf_in, location, spawn_app, spawn_app_with, spawn_on, token_in,
};

#[tokio::test]
async fn the_dev_outbox_is_refused_to_anything_forwarded_or_public() {
    let app = spawn_app().await;
    assert_eq!(app.get("/dev/mail").await.status(), StatusCode::OK);
    // A reverse proxy on the same machine makes every request come from 127.0.0.1.
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.5"),
        ("x-real-ip", "203.0.113.5"),
        ("forwarded", "for=203.0.113.5"),
    ] {
        let res = app
            .client
            .get(app.url("/dev/mail"))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{name}");
    }
    // Nor to a page elsewhere whose host name was rebound to 127.0.0.1.
    let res = app
        .client
        .get(app.url("/dev/mail"))
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "rebound host name");
    // A deployment that calls itself by a public name never serves it.
    let public =
        spawn_app_with(|s| s.public_url = Some("http://id.example.com".parse().unwrap())).await;
    assert_eq!(
        public.get("/dev/mail").await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(!public.get_html("/login").await.contains("/dev/mail"));
}

#[tokio::test]
async fn a_csrf_token_usher_never_issued_is_refused() {
    let app = spawn_app().await;
    let forged = "A".repeat(43);
    let res = browser()
        .post(app.url("/forgot-password"))
        .header("cookie", format!("usher_csrf={forged}"))
        .form(&[
            ("email", "ada@example.com"),
            ("csrf_token", forged.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("outbox").await, 0);
}

#[tokio::test]
async fn csrf_tokens_die_at_sign_in_and_sign_out() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let signed_in_token = app.csrf().await;
    app.sign_out().await;
    let anonymous_token = app.csrf().await;
    assert_ne!(signed_in_token, anonymous_token);
    // The signed-out browser cannot use the token of the session before.
    let res = app
        .client
        .post(app.url("/forgot-password"))
        .form(&[
            ("email", "ada@example.com"),
            ("csrf_token", signed_in_token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The next person's sign-in voids the anonymous token too.
    app.sign_in("ada@example.com", PASSWORD).await;
    let res = app
        .client
        .post(app.url("/logout"))
        .form(&[("csrf_token", anonymous_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.is_signed_in().await);
}

#[tokio::test]
async fn posts_the_browser_marks_as_cross_site_are_refused() {
    let app = spawn_app().await;
    let attempt = |name: &'static str, value: &'static str| {
        let app = &app;
        async move {
            let token = app.csrf().await;
            app.client
                .post(app.url("/forgot-password"))
                .header(name, value)
                .form(&[("email", "ada@example.com"), ("csrf_token", token.as_str())])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        attempt("sec-fetch-site", "cross-site").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        attempt("sec-fetch-site", "same-site").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        attempt("origin", "https://evil.example").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        attempt("sec-fetch-site", "same-origin").await,
        StatusCode::OK
    );
    // Pages with `Referrer-Policy: no-referrer` make browsers send `Origin: null`.
    assert_eq!(attempt("origin", "null").await, StatusCode::OK);
    let own = app.address.clone().leak();
    assert_eq!(attempt("origin", own).await, StatusCode::OK);
    assert_eq!(app.count("outbox").await, 0, "no such account, no mail");
}

#[tokio::test]
async fn forms_may_post_only_to_usher_and_pages_are_not_cached() {
    let app = spawn_app().await;
    let res = app.get("/login").await;
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("form-action 'self'"), "{csp}");
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    assert_eq!(
        app.get("/account").await.headers()[CACHE_CONTROL],
        "no-store"
    );
    let token = app.reset_token("ada@example.com").await;
    let reset = app.get(&format!("/reset-password?token={token}")).await;
    assert_eq!(reset.headers()[CACHE_CONTROL], "no-store");
    // Stylesheets may still be cached.
    let css = app.get("/static/css/usher.css").await;
    assert!(
        css.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

#[tokio::test]
async fn one_address_gets_at_most_one_unsolicited_mail_a_minute() {
    let app = spawn_app_with(|s| s.recipient_mail_limit = RecipientMailLimit::default()).await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    let first = app
        .post("/forgot-password", &[("email", "ada@example.com")])
        .await;
    let first = (first.status(), first.text().await.unwrap());
    for _ in 0..5 {
        let res = app
            .post("/forgot-password", &[("email", "ada@example.com")])
            .await;
        assert_eq!(
            (res.status(), res.text().await.unwrap()),
            first,
            "answered the same"
        );
    }
    // Sign-ups and resends to a new address are limited the same way.
    for _ in 0..3 {
        let res = app
            .post(
                "/signup",
                &[
                    ("name", "Flood"),
                    ("email", "victim@example.com"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        app.post("/verify-email/resend", &[("email", "victim@example.com")])
            .await;
    }
    let queued = |to: &'static str| {
        let app = &app;
        async move {
            let sql = format!("outbox WHERE recipient = '{to}'");
            app.count(&sql).await
        }
    };
    // Ada: the verification mail of her own sign-up (a kind of its own), and one reset.
    assert_eq!(queued("ada@example.com").await, 2);
    assert_eq!(queued("victim@example.com").await, 1);
}

#[tokio::test]
async fn bad_requests_get_the_error_page_with_a_request_id() {
    let app = spawn_app().await;
    let token = app.csrf().await;
    // A control character in an organization slug.
    let res = app.get("/o/acme%0d%0aSet-Cookie:%20x=1/members").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().contains("x=1"))
    );
    let responses = [
        // A form without its fields.
        app.client
            .post(app.url("/login/password"))
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap(),
        // A form far larger than any of Usher's.
        app.client
            .post(app.url("/login/password"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", &"a".repeat(100_000)),
            ])
            .send()
            .await
            .unwrap(),
        // Not a form at all.
        app.client
            .post(app.url("/login/password"))
            .header("x-csrf-token", &token)
            .header(CONTENT_TYPE, "text/plain")
            .body("email=ada@example.com")
            .send()
            .await
            .unwrap(),
        // A query that does not parse.
        app.get("/login?email=a&email=b").await,
        res,
    ];
    for res in responses {
        let status = res.status();
        assert!(status.is_client_error(), "{status}");
        let content_type = res.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
        assert!(
            content_type.starts_with("text/html"),
            "{status}: {content_type}"
        );
        assert!(res.text().await.unwrap().contains("request id"), "{status}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let parent = tempfile::tempdir().unwrap();
    let data_dir = parent.path().join("data");
    let db = std::sync::Arc::new(TestDb::create().await);
    let app = spawn_on(db, |s| {
        s.data_dir = data_dir.clone();
        s.secret_key = None;
        if !crate::helpers::on_postgres() {
            s.database_url = None;
        }
    })
    .await;
    app.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let _mail_file = crate::helpers::eventually(
        std::time::Duration::from_secs(10),
        "a mail file",
        || async { std::fs::read_dir(data_dir.join("mail")).ok()?.next() },
    )
    .await;
    assert_eq!(mode(&data_dir), 0o700);
    assert_eq!(mode(&data_dir.join("mail")), 0o700);
    assert_eq!(mode(&data_dir.join("secret.key")), 0o600);
    for entry in std::fs::read_dir(data_dir.join("mail")).unwrap() {
        assert_eq!(mode(&entry.unwrap().path()), 0o600);
    }
    if !crate::helpers::on_postgres() {
        assert_eq!(mode(&data_dir.join("usher.db")), 0o600);
        assert_eq!(mode(&data_dir.join("usher.db-wal")), 0o600);
    }
}

#[tokio::test]
async fn only_members_learn_why_an_organization_is_suspended() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Umbrella", "umbrella", "shared", true).await;
    app.post(
        "/admin/orgs/umbrella/suspend",
        &[("reason", "Fraud investigation 4711")],
    )
    .await;
    let visitor = app.other_browser();
    for path in ["/o/umbrella/login", "/o/umbrella/signup"] {
        let res = visitor.get(path).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let html = res.text().await.unwrap();
        assert!(html.contains("suspended"), "{path}");
        assert!(
            !html.contains("Fraud investigation"),
            "{path} shows the internal reason"
        );
    }
}

#[tokio::test]
async fn each_start_without_an_operator_voids_the_earlier_setup_link() {
    let db = std::sync::Arc::new(TestDb::create().await);
    let first = spawn_on(db.clone(), |_| {}).await;
    let second = spawn_on(db, |_| {}).await;
    let old = first.operator_setup_link.clone().unwrap();
    let new = second.operator_setup_link.clone().unwrap();
    let old_path = old.replace(&first.address, "");
    assert_eq!(first.get(&old_path).await.status(), StatusCode::GONE);
    assert_eq!(
        second.get(&new.replace(&second.address, "")).await.status(),
        StatusCode::OK
    );
    let lifetime: i64 = sqlx::query_scalar(
        "SELECT expires_at - created_at FROM email_tokens WHERE purpose = 'operator_setup' AND used_at IS NULL",
    )
    .fetch_one(second.store.pool())
    .await
    .unwrap();
    assert!(
        lifetime <= 6 * 3600,
        "a setup link lasts hours, not days: {lifetime} s"
    );
    let _ = token_in(&new);
}

#[tokio::test]
async fn the_minimum_password_length_is_15_by_default_and_configurable() {
    let app = spawn_app().await;
    let html = app.get_html("/signup").await;
    assert!(html.contains("At least 15 characters"), "the hint says so");
    let res = app
        .post(
            "/signup",
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", "wombat quiz 7"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let strict =
        spawn_app_with(|s| s.password_rules = PasswordRules::with_min_chars(20).unwrap()).await;
    assert!(
        strict
            .get_html("/signup")
            .await
            .contains("At least 20 characters")
    );
    let res = strict
        .post(
            "/signup",
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", "purple tuba sonata"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("at least 20 characters"));
    assert!(PasswordRules::with_min_chars(7).is_err(), "never below 8");
    let _ = (csrf_in("name=\"csrf_token\" value=\"x\""), location);
}
