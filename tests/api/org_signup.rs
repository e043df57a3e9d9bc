//! The self-signup portal: a new company creates its organization.
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, location, spawn_app};

#[tokio::test]
async fn a_new_company_signs_up_verifies_and_lands_in_its_organization_as_owner() {
    let app = spawn_app().await;
    let fields = [
        ("org_name", "Acme Corp."),
        ("slug", ""),
        ("name", "Wile E."),
        ("email", "wile@acme.test"),
        ("password", PASSWORD),
    ];
    let res = app.post("/signup/organization", &fields).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Check your email"));

    let mail = app.last_mail_with_subject("wile@acme.test", "Verify").await;
    let res = app
        .follow_verification(&mail.link_to("/verify-email"))
        .await;
    assert_eq!(
        location(&res),
        "/o/acme-corp",
        "the slug is proposed from the name"
    );
    let home = app.get_html("/o/acme-corp").await;
    assert!(home.contains("Acme Corp.") && home.contains("owner"));
    assert!(
        home.contains("class=\"current-org\">Acme Corp.<"),
        "the current org is in the header"
    );
    let role: String = sqlx::query_scalar("SELECT role FROM memberships")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(role, "owner");
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_events ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(actions, ["organization.created", "member.joined"]);
}

#[tokio::test]
async fn a_signed_in_user_creates_an_organization_without_a_new_account() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let res = app
        .post(
            "/signup/organization",
            &[("org_name", "Analytical Engines"), ("slug", "engines")],
        )
        .await;
    assert_eq!(location(&res), "/o/engines");
    assert!(app.get_html("/o/engines").await.contains("owner"));
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn bad_organization_input_gets_422_and_writes_nothing() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.post(
        "/signup/organization",
        &[("org_name", "Taken"), ("slug", "taken")],
    )
    .await;
    let before = (
        app.count("organizations").await,
        app.count("memberships").await,
        app.count("audit_events").await,
    );
    let long_name = "n".repeat(101);
    let cases = [
        ("Other", "taken", "This address is taken"),
        ("Other", "Bad Slug!", "lowercase letters"),
        ("Other", "admin", "reserved"),
        (long_name.as_str(), "long-name", "at most 100 characters"),
        ("", "empty-name", "Enter the organization"),
    ];
    for (name, slug, message) in cases {
        let res = app
            .post(
                "/signup/organization",
                &[("org_name", name), ("slug", slug)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "expected {message:?}");
        assert!(
            html.contains(&format!("value=\"{slug}\"")),
            "typed slug kept"
        );
    }
    let after = (
        app.count("organizations").await,
        app.count("memberships").await,
        app.count("audit_events").await,
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_taken_slug_on_the_anonymous_form_creates_no_account() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.post(
        "/signup/organization",
        &[("org_name", "Taken"), ("slug", "taken")],
    )
    .await;
    app.sign_out().await;
    let fields = [
        ("org_name", "Taken"),
        ("slug", "taken"),
        ("name", "Bob"),
        ("email", "bob@example.com"),
        ("password", PASSWORD),
    ];
    let res = app.post("/signup/organization", &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn a_taken_slug_answers_the_same_whether_or_not_the_email_is_registered() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.post(
        "/signup/organization",
        &[("org_name", "Taken"), ("slug", "taken")],
    )
    .await;
    app.sign_out().await;
    let attempt = |email: &'static str| {
        let app = &app;
        async move {
            let fields = [
                ("org_name", "Taken"),
                ("slug", "taken"),
                ("name", "Someone"),
                ("email", email),
                ("password", "another fine passphrase"),
            ];
            let res = app.post("/signup/organization", &fields).await;
            (res.status(), res.text().await.unwrap().replace(email, "E"))
        }
    };
    let registered = attempt("ada@example.com").await;
    let unknown = attempt("nobody@example.com").await;
    assert_eq!(registered.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(registered, unknown);
}
