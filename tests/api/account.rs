use reqwest::StatusCode;

use crate::helpers::{NEW_PASSWORD, PASSWORD, location, spawn_app};

#[tokio::test]
async fn a_user_changes_their_name() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let res = app
        .post("/account/name", &[("name", "Augusta Ada King")])
        .await;
    assert_eq!(location(&res), "/account");
    let html = app.get_html("/account").await;
    assert!(html.contains("value=\"Augusta Ada King\"") && html.contains("Your name was saved"));

    let res = app.post("/account/name", &[("name", "   ")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.get_html("/account")
            .await
            .contains("value=\"Augusta Ada King\"")
    );
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let phone = app.other_browser();
    phone.sign_in("ada@example.com", PASSWORD).await;
    let reset_token = app.reset_token("ada@example.com").await;
    assert!(phone.is_signed_in().await);

    let res = app
        .post(
            "/account/password",
            &[
                ("current_password", "a wrong guess here"),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("not your current password")
    );
    assert!(phone.is_signed_in().await, "a refused change ends nothing");

    let res = app
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&res), "/account");
    assert!(
        app.is_signed_in().await,
        "the browser that changed it stays signed in"
    );
    assert!(!phone.is_signed_in().await, "other sessions are ended");
    app.last_mail_with_subject("ada@example.com", "Your password was changed")
        .await;
    let reset = format!("/reset-password?token={reset_token}");
    assert_eq!(
        app.get(&reset).await.status(),
        StatusCode::GONE,
        "earlier reset links die with the change"
    );

    app.sign_out().await;
    assert_eq!(
        app.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in("ada@example.com", NEW_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}
