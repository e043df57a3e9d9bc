use reqwest::StatusCode;

use crate::helpers::{NEW_PASSWORD, PASSWORD, location, spawn_app};

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_all_sessions() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let laptop = app.other_browser();
    laptop.sign_in("ada@example.com", PASSWORD).await;
    assert!(laptop.is_signed_in().await);

    let res = app
        .post("/forgot-password", &[("email", "ada@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Check your email"));
    let link = app
        .last_mail_with_subject("ada@example.com", "Reset your password")
        .await
        .link_to("/reset-password");
    let token = link.split("token=").nth(1).unwrap().to_owned();

    let page = app.get(&format!("/reset-password?token={token}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");

    let res = app
        .post(
            "/reset-password",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&res), "/login");
    assert!(
        app.get_html("/login")
            .await
            .contains("password was changed")
    );

    assert!(!app.is_signed_in().await);
    assert!(!laptop.is_signed_in().await, "reset must end every session");
    assert_eq!(
        app.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in("ada@example.com", NEW_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    // Used once: it does not work again.
    let again = app
        .post(
            "/reset-password",
            &[
                ("token", &token),
                ("password", "yet another fine passphrase"),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert_eq!(
        app.get(&format!("/reset-password?token={token}"))
            .await
            .status(),
        StatusCode::GONE
    );
}

#[tokio::test]
async fn a_reset_link_expires_after_an_hour() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let token = app.reset_token("ada@example.com").await;
    let lifetime: i64 = sqlx::query_scalar(
        "SELECT expires_at - created_at FROM email_tokens WHERE purpose = 'reset_password'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(lifetime, 3600);
    app.exec(
        "UPDATE email_tokens SET expires_at = expires_at - 3601 WHERE purpose = 'reset_password'",
    )
    .await;
    let res = app
        .post(
            "/reset-password",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::GONE);
    assert_eq!(
        app.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_newer_reset_link_voids_the_older_one() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.post("/forgot-password", &[("email", "ada@example.com")])
        .await;
    let first = app
        .last_mail_with_subject("ada@example.com", "Reset")
        .await
        .link_to("/reset-password");
    app.post("/forgot-password", &[("email", "ada@example.com")])
        .await;
    let second = app
        .nth_mail_to("ada@example.com", 3)
        .await
        .link_to("/reset-password");
    assert_ne!(first, second);
    let path = |link: &str| link.replace(&app.address, "");
    assert_eq!(app.get(&path(&first)).await.status(), StatusCode::GONE);
    assert_eq!(app.get(&path(&second)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_reset_for_an_unknown_email_looks_the_same_and_sends_nothing() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let known = app
        .post("/forgot-password", &[("email", "ada@example.com")])
        .await;
    let unknown = app
        .post("/forgot-password", &[("email", "ghost@example.com")])
        .await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(
        known.text().await.unwrap().replace("ada@example.com", "E"),
        unknown
            .text()
            .await
            .unwrap()
            .replace("ghost@example.com", "E")
    );
    app.last_mail_with_subject("ada@example.com", "Reset").await;
    assert_eq!(
        app.queued_to("ghost@example.com").await,
        0,
        "nothing was queued"
    );
}

#[tokio::test]
async fn a_weak_new_password_is_refused_and_the_link_stays_usable() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let token = app.reset_token("ada@example.com").await;
    let res = app
        .post(
            "/reset-password",
            &[("token", &token), ("password", "short")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("at least 15 characters"));
    let res = app
        .post(
            "/reset-password",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn a_forged_or_missing_token_is_refused() {
    let app = spawn_app().await;
    for path in [
        "/reset-password?token=forged",
        "/reset-password",
        "/verify-email?token=forged",
    ] {
        assert_eq!(app.get(path).await.status(), StatusCode::GONE, "{path}");
    }
}
