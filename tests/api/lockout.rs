//! The account-wide cap on failed sign-ins (NIST SP 800-63B §5.2.2): after 100 in a row, from
//! however many addresses, only the mailbox (or a browser that signed in before) gets in.
use std::net::{IpAddr, Ipv4Addr};

use reqwest::{Client, StatusCode, redirect};

use crate::helpers::{PASSWORD, TestApp, csrf_in, location, spawn_app, token_in};

/// A browser on another machine: its requests come from 127.0.0.`n`.
fn browser_at(n: u8) -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .build()
        .unwrap()
}

async fn sign_in_from(client: &Client, app: &TestApp, password: &str) -> (StatusCode, String) {
    let page = client.get(app.url("/login")).send().await.unwrap();
    let token = csrf_in(&page.text().await.unwrap());
    let form = [
        ("email", "ada@example.com"),
        ("password", password),
        ("csrf_token", &token),
    ];
    let res = client
        .post(app.url("/login/password"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_hundred_failures_from_many_addresses_lock_the_account_for_unknown_browsers() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    // Ada's own browser signs in once: it is known from now on.
    assert_eq!(
        app.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    app.sign_out().await;

    // 100 wrong guesses from 40 addresses: each stays under the per-address backoff.
    let attackers: Vec<Client> = (10..50).map(browser_at).collect();
    for i in 0..100 {
        let (status, _) = sign_in_from(&attackers[i % 40], &app, "attacker guess 12345").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "guess {i}");
    }

    // Now even the right password from a browser the account never saw is refused.
    let (status, page) = sign_in_from(&attackers[0], &app, PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("this account is locked"), "{page}");
    let new_laptop = browser_at(99);
    let (status, _) = sign_in_from(&new_laptop, &app, PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Ada's known browser still signs in.
    assert_eq!(
        app.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    app.sign_out().await;

    // The lock mailed her an unlock link, which lifts it for every browser.
    let mail = app
        .last_mail_with_subject("ada@example.com", "locked")
        .await;
    let link = mail.link_to("/unlock-account");
    let page = new_laptop.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let token = csrf_in(&page.text().await.unwrap());
    let res = new_laptop
        .post(app.url("/unlock-account"))
        .form(&[("token", token_in(&link).as_str()), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login");
    let (status, _) = sign_in_from(&new_laptop, &app, PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The link works once.
    let again = new_laptop.get(&link).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::GONE);
}

#[tokio::test]
async fn a_password_reset_lifts_the_lock_too() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    app.exec(
        "INSERT INTO account_sign_in_failures (identifier, failures, locked_at, updated_at)
         SELECT connection_id || ':' || email, 150, 1, 1 FROM users",
    )
    .await;
    let stranger = browser_at(77);
    assert_eq!(
        sign_in_from(&stranger, &app, PASSWORD).await.0,
        StatusCode::FORBIDDEN
    );
    let token = app.reset_token("ada@example.com").await;
    let new_password = "a brand new passphrase for ada";
    app.post(
        "/reset-password",
        &[("token", &token), ("password", new_password)],
    )
    .await;
    assert_eq!(
        sign_in_from(&stranger, &app, new_password).await.0,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn wrong_current_passwords_on_the_account_page_count_like_failed_sign_ins() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let change = |current: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/account/password",
                &[
                    ("current_password", current),
                    ("new_password", "a brand new passphrase for ada"),
                ],
            )
            .await
            .status()
        }
    };
    for _ in 0..5 {
        assert_eq!(
            change("stolen session guess").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    assert_eq!(
        change("stolen session guess").await,
        StatusCode::TOO_MANY_REQUESTS,
        "guessing from a stolen session backs off like sign-in"
    );
    let failures: i64 = sqlx::query_scalar("SELECT failures FROM account_sign_in_failures")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(failures, 5);
}

async fn lock(app: &TestApp) {
    app.exec(
        "INSERT INTO account_sign_in_failures (identifier, failures, locked_at, updated_at)
         SELECT connection_id || ':' || email, 150, 1, 1 FROM users WHERE true
         ON CONFLICT (identifier) DO UPDATE SET failures = 150, locked_at = 1",
    )
    .await;
}

#[tokio::test]
async fn parallel_guesses_cannot_overrun_the_cap() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    let attackers: Vec<Client> = (10..50).map(browser_at).collect();
    let guesses = (0..140).map(|i| sign_in_from(&attackers[i % 40], &app, "attacker guess 12345"));
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::UNAUTHORIZED)
        .count();
    assert!(checked <= 100, "{checked} passwords were checked");
    assert!(
        answers
            .iter()
            .all(|(status, _)| matches!(*status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN))
    );
}

#[tokio::test]
async fn a_known_browser_is_forgotten_when_the_password_is_replaced_or_it_keeps_failing() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    app.sign_in("ada@example.com", PASSWORD).await;
    app.sign_out().await;
    lock(&app).await;
    // Known, it passes the lock; five wrong guesses through it and it is known no more.
    let laptop = app.other_browser();
    laptop.sign_in("ada@example.com", PASSWORD).await;
    for _ in 0..5 {
        let res = app.sign_in("ada@example.com", "a wrong guess 123").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // (Lifting the per-address backoff those five earned, to see the lock behind it.)
    app.exec("DELETE FROM sign_in_failures").await;
    assert_eq!(
        app.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::FORBIDDEN
    );
    // A reset forgets every browser: the laptop that signed in before the lock was lifted
    // by nothing else is no longer trusted once the password changed.
    let token = app.reset_token("ada@example.com").await;
    let new_password = "a brand new passphrase for ada";
    app.post(
        "/reset-password",
        &[("token", &token), ("password", new_password)],
    )
    .await;
    lock(&app).await;
    assert_eq!(
        laptop
            .sign_in("ada@example.com", new_password)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn guesses_at_an_address_before_it_signs_up_do_not_lock_the_new_account() {
    let app = spawn_app().await;
    let attackers: Vec<Client> = (10..50).map(browser_at).collect();
    for i in 0..101 {
        sign_in_from(&attackers[i % 40], &app, "attacker guess 12345").await;
    }
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    let (status, _) = sign_in_from(&browser_at(99), &app, PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
