use reqwest::StatusCode;

use crate::helpers::{PASSWORD, location, set_cookie, spawn_app};

#[tokio::test]
async fn sign_in_is_identifier_first_then_password() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;

    let step = app.post("/login", &[("email", "ADA@example.com")]).await;
    assert_eq!(step.status(), StatusCode::OK);
    let html = step.text().await.unwrap();
    assert!(html.contains("Enter your password") && html.contains("ada@example.com"));

    let res = app
        .post(
            "/login/password",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Without any organization, the picker says so and offers to create one.
    assert_eq!(location(&res), "/orgs");
    assert!(
        app.get_html("/orgs")
            .await
            .contains("not a member of any organization")
    );
    assert!(app.is_signed_in().await);
}

#[tokio::test]
async fn a_malformed_email_is_refused_at_the_first_step() {
    let app = spawn_app().await;
    let res = app.post("/login", &[("email", "nobody")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("valid email address") && html.contains("value=\"nobody\""));
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;

    let known = app.post("/login", &[("email", "ada@example.com")]).await;
    let unknown = app.post("/login", &[("email", "ghost@example.com")]).await;
    assert_eq!(known.status(), unknown.status());
    let anonymize = |html: String, email: &str| {
        html.replace(email, "E")
            .replace(&email.replace('@', "%40"), "E")
    };
    assert_eq!(
        anonymize(known.text().await.unwrap(), "ada@example.com"),
        anonymize(unknown.text().await.unwrap(), "ghost@example.com")
    );

    let wrong = app
        .sign_in("ada@example.com", "not the right password")
        .await;
    let ghost = app
        .sign_in("ghost@example.com", "not the right password")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status(), ghost.status());
    let (wrong, ghost) = (wrong.text().await.unwrap(), ghost.text().await.unwrap());
    assert!(wrong.contains("Incorrect email or password"));
    let wrong = wrong.to_owned();
    assert_eq!(
        anonymize(wrong, "ada@example.com"),
        anonymize(ghost, "ghost@example.com")
    );
    assert!(!app.is_signed_in().await);
}

#[tokio::test]
async fn unknown_accounts_take_as_long_as_known_ones() {
    // Both paths run one argon2 verification; without the dummy hash the unknown path would
    // answer in a fraction of the time. Median of a few tries, generous margin: the ratio
    // without the dummy check is far below 0.5.
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..5 {
        let t = std::time::Instant::now();
        app.post(
            "/login/password",
            &[
                ("email", "ada@example.com"),
                ("password", "wrong password here"),
            ],
        )
        .await;
        known.push(t.elapsed());
        let t = std::time::Instant::now();
        app.post(
            "/login/password",
            &[
                ("email", "ghost@example.com"),
                ("password", "wrong password here"),
            ],
        )
        .await;
        unknown.push(t.elapsed());
    }
    known.sort();
    unknown.sort();
    let ratio = unknown[2].as_secs_f64() / known[2].as_secs_f64();
    assert!(
        ratio > 0.5,
        "unknown accounts answer too fast: ratio {ratio:.2}"
    );
}

#[tokio::test]
async fn signing_in_renews_the_session_and_signing_out_ends_it_for_good() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let before = app.sign_out().await;
    assert_eq!(location(&before), "/login");

    let res = app.sign_in("ada@example.com", PASSWORD).await;
    let cookie = set_cookie(&res, "usher_session").expect("a session cookie is set on sign-in");
    let session = cookie.split(';').next().unwrap().to_owned();
    assert_eq!(
        app.get_with_cookie("/account", &session).await.status(),
        StatusCode::OK
    );

    let out = app.sign_out().await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(!app.is_signed_in().await);
    // Replaying the signed-out cookie does not bring the session back.
    let replay = app.get_with_cookie("/account", &session).await;
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&replay), "/login");
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn a_session_id_from_before_sign_in_is_not_the_signed_in_one() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let first = app.sign_in("ada@example.com", PASSWORD).await;
    let second = app.sign_in("ada@example.com", PASSWORD).await;
    let a = set_cookie(&first, "usher_session").unwrap();
    let b = set_cookie(&second, "usher_session").unwrap();
    assert_ne!(a, b, "each sign-in must issue a fresh session id");
    // The replaced session no longer works.
    let old = a.split(';').next().unwrap();
    assert_eq!(
        app.get_with_cookie("/account", old).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn pages_for_signed_in_users_send_others_to_sign_in() {
    let app = spawn_app().await;
    let res = app.get("/account").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
    assert_eq!(location(&app.get("/").await), "/login");
    app.create_verified_user("Ada Lovelace", "ada@example.com", crate::helpers::PASSWORD)
        .await;
    assert_eq!(
        location(&app.get("/").await),
        "/orgs",
        "signed in, the start page is the picker"
    );
}
