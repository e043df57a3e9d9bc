use reqwest::StatusCode;

use crate::helpers::{PASSWORD, location, spawn_app};

#[tokio::test]
async fn sign_up_sends_a_verification_link_that_signs_the_user_in() {
    let app = spawn_app().await;
    let res = app
        .sign_up("Ada Lovelace", "Ada@Example.com", PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Check your email"));

    let mail = app
        .last_mail_with_subject("ada@example.com", "Verify your email")
        .await;
    // The address is not proved yet: the mail carries nothing the form typed.
    assert!(!mail.text.contains("Ada Lovelace"));
    let res = app
        .follow_verification(&mail.link_to("/verify-email"))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/account");
    let account = app.get_html("/account").await;
    assert!(account.contains("Your account") && account.contains("ada@example.com"));
    assert!(account.contains("Your email is verified"));
}

#[tokio::test]
async fn every_mail_has_a_text_and_an_html_part() {
    let app = spawn_app().await;
    app.sign_up("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.last_mail_with_subject("ada@example.com", "Verify")
        .await;
    let file = std::fs::read_dir(app.mail_dir())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let raw = std::fs::read_to_string(file).unwrap();
    assert!(raw.contains("multipart/alternative"));
    assert!(raw.contains("Content-Type: text/plain") && raw.contains("Content-Type: text/html"));
}

#[tokio::test]
async fn an_unverified_account_cannot_sign_in_but_can_ask_for_a_new_link() {
    let app = spawn_app().await;
    app.sign_up("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let first = app.nth_mail_to("ada@example.com", 1).await;

    // Until verified there is no account: the answer is the same as for a wrong password,
    // so that it tells nobody whether the address is registered.
    let res = app.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("open the link in the email we sent you first")
    );
    assert!(!app.is_signed_in().await);

    let res = app
        .post("/verify-email/resend", &[("email", "ada@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = app.nth_mail_to("ada@example.com", 2).await;

    // The newer link replaced the older one.
    let old_token = first
        .link_to("/verify-email")
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    let old = app.post("/verify-email", &[("token", &old_token)]).await;
    assert_eq!(old.status(), StatusCode::GONE);
    let new = app
        .follow_verification(&second.link_to("/verify-email"))
        .await;
    assert_eq!(location(&new), "/account");
    assert_eq!(
        app.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_verification_link_works_once() {
    let app = spawn_app().await;
    app.sign_up("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let link = app
        .nth_mail_to("ada@example.com", 1)
        .await
        .link_to("/verify-email");
    app.follow_verification(&link).await;
    let again = app.get(&link.replace(&app.address, "")).await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(again.text().await.unwrap().contains("no longer works"));
}

#[tokio::test]
async fn an_expired_verification_link_is_refused() {
    let app = spawn_app().await;
    app.sign_up("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let link = app
        .nth_mail_to("ada@example.com", 1)
        .await
        .link_to("/verify-email");
    app.exec("UPDATE signups SET expires_at = expires_at - 86401")
        .await;
    let token = link.split("token=").nth(1).unwrap();
    let res = app.post("/verify-email", &[("token", token)]).await;
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(!app.is_signed_in().await);
}

#[tokio::test]
async fn invalid_input_is_shown_beside_the_fields_and_kept() {
    let app = spawn_app().await;
    let cases = [
        ("", "ada@example.com", PASSWORD, "Enter your name"),
        ("Ada", "not-an-email", PASSWORD, "valid email address"),
        ("Ada", "ada@example.com", "short", "at least 15 characters"),
        (
            "Ada",
            "ada@example.com",
            "wombat quiz 7",
            "at least 15 characters",
        ),
        ("Ada", "ada@example.com", "passwordpassword", "too common"),
        (
            "Ada Lovelace",
            "ada.lovelace@example.com",
            "ada.lovelace rocks 1815",
            "must not contain",
        ),
        ("Ada", "ada@example.com", &"x7!q".repeat(65), "at most 256"),
    ];
    for (name, email, password, message) in cases {
        let res = app.sign_up(name, email, password).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "expected {message:?}");
        assert!(
            html.contains(&format!("value=\"{email}\"")),
            "typed email was lost"
        );
        assert!(!html.contains(password), "a password was echoed back");
    }
    assert_eq!(app.count("users").await + app.count("signups").await, 0);
    assert_eq!(app.count("outbox").await, 0);
}

#[tokio::test]
async fn signing_up_with_a_registered_email_looks_the_same_and_warns_the_owner() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;

    let fresh = app.sign_up("Someone", "new@example.com", PASSWORD).await;
    let taken = app
        .sign_up("Someone", "ada@example.com", "another password entirely")
        .await;
    assert_eq!(fresh.status(), taken.status());
    let (fresh, taken) = (fresh.text().await.unwrap(), taken.text().await.unwrap());
    assert_eq!(
        fresh.replace("new@example.com", "EMAIL"),
        taken.replace("ada@example.com", "EMAIL"),
        "the two answers must not differ"
    );
    let warning = app
        .last_mail_with_subject("ada@example.com", "already have an account")
        .await;
    assert!(warning.text.contains("/forgot-password"));
    assert_eq!(
        app.count("users").await,
        1,
        "new@ is a pending sign-up, not an account"
    );
    assert_eq!(app.count("signups WHERE used_at IS NULL").await, 1);
    // The owner's password did not change.
    assert_eq!(
        app.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_account_registered_by_someone_else_first_keeps_no_password_of_theirs() {
    let app = spawn_app().await;
    let attacker = app.other_browser();
    attacker
        .sign_up(
            "Mallory",
            "victim@example.com",
            "attacker chosen passphrase",
        )
        .await;
    // The real owner signs up later and verifies from the mailbox.
    app.create_verified_user("Victim", "victim@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    let res = attacker
        .sign_in("victim@example.com", "attacker chosen passphrase")
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.sign_in("victim@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert!(app.get_html("/account").await.contains("value=\"Victim\""));
    assert_eq!(app.count("users").await, 1);
}
