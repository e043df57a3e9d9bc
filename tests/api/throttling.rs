use std::net::{IpAddr, Ipv4Addr};

use reqwest::{Client, StatusCode, redirect};

use crate::helpers::{PASSWORD, TestApp, csrf_in, spawn_app, spawn_app_with};

/// A browser on another machine: its requests come from 127.0.0.2.
fn browser_from_another_ip() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .unwrap()
}

async fn sign_in_from(client: &Client, app: &TestApp, email: &str, password: &str) -> StatusCode {
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_in(&page);
    let form = [
        ("email", email),
        ("password", password),
        ("csrf_token", &token),
    ];
    client
        .post(app.url("/login/password"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn too_many_auth_posts_from_one_ip_get_429_and_do_nothing() {
    let app = spawn_app_with(|s| s.auth_rate_limit = 3).await;
    for _ in 0..3 {
        let res = app
            .post("/forgot-password", &[("email", "ghost@example.com")])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let outbox_before = app.count("outbox").await;
    let res = app
        .post(
            "/signup",
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("Too many attempts"));
    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("outbox").await, outbox_before);

    // Another address is not affected.
    let other = browser_from_another_ip();
    let page = other
        .get(app.url("/forgot-password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = [
        ("email", "ghost@example.com"),
        ("csrf_token", &csrf_in(&page)),
    ];
    let res = other
        .post(app.url("/forgot-password"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn failed_sign_ins_back_off_per_account_without_locking_out_the_real_user() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    for _ in 0..5 {
        let res = app.sign_in("ada@example.com", "attacker guess 12345").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // The attacker's address now waits, even with the right password.
    let res = app.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let failures: i64 = sqlx::query_scalar(
        "SELECT failures FROM sign_in_failures WHERE identifier LIKE '%:ada@example.com'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(failures, 5, "the backoff is kept in the database");

    // The real user, elsewhere, signs in.
    let real = browser_from_another_ip();
    assert_eq!(
        sign_in_from(&real, &app, "ada@example.com", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    // Which does not lift the attacker's backoff.
    let res = app.sign_in("ada@example.com", "attacker guess 12345").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn unknown_accounts_back_off_like_known_ones() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.sign_in("ghost@example.com", "attacker guess 12345")
            .await;
    }
    assert_eq!(
        app.sign_in("ghost@example.com", "attacker guess 12345")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn forgot_from(app: &TestApp, forwarded_for: &str) -> StatusCode {
    let token = app.csrf().await;
    let form = [
        ("email", "ghost@example.com"),
        ("csrf_token", token.as_str()),
    ];
    let req = app
        .client
        .post(app.url("/forgot-password"))
        .header("x-forwarded-for", forwarded_for);
    req.form(&form).send().await.unwrap().status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_limited_on_its_own() {
    let app = spawn_app_with(|s| {
        s.auth_rate_limit = 2;
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    // The left-most entry is the client's own claim; the proxy appends the address it saw.
    assert_eq!(
        forgot_from(&app, "1.1.1.1, 203.0.113.5").await,
        StatusCode::OK
    );
    assert_eq!(
        forgot_from(&app, "2.2.2.2, 203.0.113.5").await,
        StatusCode::OK
    );
    assert_eq!(
        forgot_from(&app, "3.3.3.3, 203.0.113.5").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        forgot_from(&app, "203.0.113.6").await,
        StatusCode::OK,
        "another client"
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_forwarded_headers_are_ignored() {
    let app = spawn_app_with(|s| s.auth_rate_limit = 2).await;
    assert_eq!(forgot_from(&app, "203.0.113.1").await, StatusCode::OK);
    assert_eq!(forgot_from(&app, "203.0.113.2").await, StatusCode::OK);
    assert_eq!(
        forgot_from(&app, "203.0.113.3").await,
        StatusCode::TOO_MANY_REQUESTS,
        "spoofing does not help"
    );
}

async fn sign_in_forwarded_for(app: &TestApp, forwarded_for: &str) -> StatusCode {
    let token = app.csrf().await;
    let form = [
        ("email", "ada@example.com"),
        ("password", "attacker guess 12345"),
        ("csrf_token", token.as_str()),
    ];
    app.client
        .post(app.url("/login/password"))
        .header("x-forwarded-for", forwarded_for)
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_sign_in_backoff_counts_a_whole_ipv6_64_as_one_client() {
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    for i in 1..=5 {
        let ip = format!("2001:db8:1:2::{i}");
        assert_eq!(
            sign_in_forwarded_for(&app, &ip).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_forwarded_for(&app, "2001:db8:1:2:ffff::99").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a new address in the same /64 inherits the backoff"
    );
    assert_eq!(
        sign_in_forwarded_for(&app, "2001:db8:1:3::1").await,
        StatusCode::UNAUTHORIZED,
        "another /64 does not"
    );
}

/// A browser whose requests come from 127.0.0.`n`.
fn browser_at(n: u8) -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .build()
        .unwrap()
}

async fn forgot_as(client: &Client, app: &TestApp) -> StatusCode {
    let page = client
        .get(app.url("/forgot-password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = [
        ("email", "ghost@example.com"),
        ("csrf_token", &csrf_in(&page)),
    ];
    client
        .post(app.url("/forgot-password"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn on_a_dual_stack_listener_each_ipv4_client_is_limited_on_its_own() {
    let app = spawn_app_with(|s| {
        s.listen = "[::]:0".into();
        s.auth_rate_limit = 3;
    })
    .await;
    // IPv4 clients arrive as ::ffff:a.b.c.d; they must not share one "/64".
    let busy = browser_at(2);
    for _ in 0..3 {
        assert_eq!(forgot_as(&busy, &app).await, StatusCode::OK);
    }
    assert_eq!(forgot_as(&busy, &app).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        forgot_as(&browser_at(3), &app).await,
        StatusCode::OK,
        "another IPv4 client is not affected"
    );
}

#[tokio::test]
async fn forwarded_entries_with_ports_or_brackets_still_name_the_client() {
    let app = spawn_app_with(|s| {
        s.auth_rate_limit = 2;
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    // The proxy wrote the client with its port; whatever the client put to the left varies.
    assert_eq!(
        forgot_from(&app, "1.1.1.1, 203.0.113.5:4711").await,
        StatusCode::OK
    );
    assert_eq!(
        forgot_from(&app, "2.2.2.2, 203.0.113.5:4712").await,
        StatusCode::OK
    );
    assert_eq!(
        forgot_from(&app, "3.3.3.3, 203.0.113.5:4713").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the client is the entry the proxy wrote, not the one it chose"
    );
    assert_eq!(forgot_from(&app, "[2001:db8::7]:443").await, StatusCode::OK);
    // An entry the proxy wrote that does not parse: the proxy itself is the client.
    assert_eq!(forgot_from(&app, "9.9.9.9, garbage").await, StatusCode::OK);
    assert_eq!(forgot_from(&app, "8.8.8.8, garbage").await, StatusCode::OK);
    assert_eq!(
        forgot_from(&app, "7.7.7.7, garbage").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}
