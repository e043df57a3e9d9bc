use reqwest::StatusCode;

use crate::helpers::{PASSWORD, browser, set_cookie, spawn_app, spawn_app_with};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/login",
        "/signup",
        "/nowhere",
        "/static/css/usher.css",
        "/healthz",
    ] {
        let res = app.get(path).await;
        let headers = res.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
            "{path}"
        );
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
        assert!(
            !headers.contains_key("strict-transport-security"),
            "no HSTS over http"
        );
    }
}

#[tokio::test]
async fn under_https_cookies_are_secure_host_only_and_hsts_is_sent() {
    let app =
        spawn_app_with(|s| s.public_url = Some("https://id.example.com".parse().unwrap())).await;
    let res = app.get("/login").await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let csrf = set_cookie(&res, "__Host-usher_csrf").expect("__Host- CSRF cookie");
    assert!(csrf.contains("Secure") && csrf.contains("HttpOnly") && csrf.contains("Path=/"));
    assert!(!csrf.contains("Domain="));
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    let res = app.sign_in("ada@example.com", PASSWORD).await;
    let cookie = set_cookie(&res, "usher_session").expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http deployments must still work"
    );
    let all: Vec<_> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        all.iter().all(|c| !c.starts_with("_session=")),
        "the name _session is left to IdPs"
    );
}

#[tokio::test]
async fn anonymous_pages_do_not_create_server_sessions() {
    let app = spawn_app().await;
    for path in ["/login", "/signup", "/forgot-password"] {
        app.get(path).await;
    }
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let fields = [
        ("name", "Mallory"),
        ("email", "mallory@example.com"),
        ("password", PASSWORD),
    ];
    // No token at all.
    let res = app
        .client
        .post(app.url("/signup"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("form has expired"));
    // A token that is not this browser's (as a cross-site form would send).
    let attacker = browser();
    let theirs = crate::helpers::csrf_in(
        &attacker
            .get(app.url("/signup"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let mine = app.csrf().await;
    assert_ne!(theirs, mine);
    let mut forged = fields.to_vec();
    forged.push(("csrf_token", &theirs));
    let res = app
        .client
        .post(app.url("/signup"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("outbox").await, 0);
}

#[tokio::test]
async fn sign_out_needs_the_csrf_token_too() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let res = app.client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.is_signed_in().await);
}

#[tokio::test]
async fn error_pages_show_a_request_id_and_no_internals() {
    let app = spawn_app().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found") && html.contains("request id"));

    // A database outage: the person sees a plain page that says to try again, not the error.
    app.store.pool().close().await;
    let res = app.get("/login").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the sign-in form needs no database"
    );
    let res = app
        .post("/forgot-password", &[("email", "ada@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    let html = res.text().await.unwrap();
    assert!(html.contains("try again in a moment") && html.contains("request id"));
    for leak in ["sqlx", "pool", "PoolClosed", "closed"] {
        assert!(!html.contains(leak), "leaked {leak}");
    }
}

#[tokio::test]
async fn the_pages_work_without_javascript_and_label_every_field() {
    let app = spawn_app().await;
    for path in [
        "/login",
        "/signup",
        "/forgot-password",
        "/verify-email/resend",
    ] {
        let html = app.get_html(path).await;
        assert!(!html.contains("<script"), "{path} uses script");
        assert!(
            html.contains("<form method=\"post\""),
            "{path} has no plain form"
        );
        for id in html
            .split("<input id=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
        {
            assert!(
                html.contains(&format!("<label for=\"{id}\">")),
                "{path}: input {id} has no label"
            );
        }
    }
}

#[tokio::test]
async fn a_blocked_user_is_signed_out_on_the_next_request() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    assert!(app.is_signed_in().await);
    app.exec("UPDATE users SET blocked_at = 1 WHERE email = 'ada@example.com'")
        .await;
    assert!(
        !app.is_signed_in().await,
        "blocking takes effect without a new sign-in"
    );
    assert_eq!(
        app.count("sessions").await,
        0,
        "the session is ended, not just refused"
    );
    assert_eq!(
        app.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
