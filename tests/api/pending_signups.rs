//! Nobody keeps a password on an account whose mailbox they did not prove: sign-ups wait apart,
//! each with its own link, and only the mailbox's owner turns one into an account.
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, location, spawn_app, token_in};

const ATTACKER_PASSWORD: &str = "attacker chosen passphrase";

async fn verification_link(app: &TestApp, email: &str, n: usize) -> String {
    let mail = app.nth_mail_to(email, n).await;
    assert!(mail.subject.contains("Verify"), "{}", mail.subject);
    mail.link_to("/verify-email")
}

/// Opens a verification link in this browser and presses the button without typing anything.
async fn press_confirm(app: &TestApp, link: &str) -> reqwest::Response {
    app.post("/verify-email", &[("token", &token_in(link))])
        .await
}

#[tokio::test]
async fn a_second_sign_up_for_a_pending_address_changes_nothing_of_the_first() {
    let app = spawn_app().await;
    let attacker = app.other_browser();
    app.sign_up("Victim", "bob@example.com", PASSWORD).await;
    let victims_link = verification_link(&app, "bob@example.com", 1).await;
    attacker
        .sign_up("Mallory", "bob@example.com", ATTACKER_PASSWORD)
        .await;
    let attackers_mail = app.nth_mail_to("bob@example.com", 2).await;
    assert!(
        !attackers_mail.text.contains("Mallory") && !attackers_mail.text.contains("Victim"),
        "mails to an unproved address carry no typed name"
    );
    let attackers_link = attackers_mail.link_to("/verify-email");

    // The second mail, opened by the victim, does not verify anything with its password.
    let page = app.get(&attackers_link.replace(&app.address, "")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Password chosen at sign-up") && html.contains("choose a new password"));
    let res = press_confirm(&app, &attackers_link).await;
    assert_ne!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("users").await, 0);

    // The victim's own link still works, and makes the victim's password the account's.
    let res = app.follow_verification(&victims_link).await;
    assert_eq!(location(&res), "/account");
    app.sign_out().await;
    assert_eq!(
        attacker
            .sign_in("bob@example.com", ATTACKER_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in("bob@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert!(app.get_html("/account").await.contains("value=\"Victim\""));
    // Verifying one sign-up voided the other.
    let res = attacker.follow_verification_status(&attackers_link).await;
    assert_eq!(res, StatusCode::GONE);
}

#[tokio::test]
async fn a_link_opened_in_another_browser_asks_for_the_sign_up_password_or_a_new_one() {
    let app = spawn_app().await;
    let attacker = app.other_browser();
    attacker
        .sign_up("Mallory", "bob@example.com", ATTACKER_PASSWORD)
        .await;
    let link = verification_link(&app, "bob@example.com", 1).await;

    // Bob opens the link in his own browser and presses the button: nothing is verified.
    let res = press_confirm(&app, &link).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Password chosen at sign-up")
    );
    assert_eq!(app.count("users").await, 0);
    // A wrong guess at the sign-up's password is refused.
    let token = token_in(&link);
    let res = app
        .post(
            "/verify-email",
            &[("token", &token), ("password", "not what was typed")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("users").await, 0);
    // He chooses his own password instead: the link proves the mailbox.
    let res = app
        .post(
            "/verify-email",
            &[
                ("token", &token),
                ("name", "Bob"),
                ("new_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&res), "/account");
    assert!(app.is_signed_in().await);
    app.sign_out().await;

    assert_eq!(
        attacker
            .sign_in("bob@example.com", ATTACKER_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "the attacker's password never survives verification"
    );
    assert_eq!(
        app.sign_in("bob@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_sign_up_password_typed_again_in_another_browser_verifies() {
    let app = spawn_app().await;
    app.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let link = verification_link(&app, "ada@example.com", 1).await;
    let phone = app.other_browser();
    let res = phone
        .post(
            "/verify-email",
            &[("token", &token_in(&link)), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&res), "/account");
    assert!(phone.is_signed_in().await);
}

#[tokio::test]
async fn a_registration_by_an_attacker_cannot_be_chained_into_an_invitation() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", false).await;
    let attacker = app.other_browser();
    attacker
        .sign_up("Mallory", "bob@example.com", ATTACKER_PASSWORD)
        .await;
    let attackers_link = verification_link(&app, "bob@example.com", 1).await;
    app.invite_owner("acme", "bob@example.com").await;

    // Bob accepts the invitation: there is no account yet, so he chooses his password.
    let bob = app.other_browser();
    let res = bob
        .accept_invitation_as_new("bob@example.com", "Bob", PASSWORD)
        .await;
    assert_eq!(location(&res), "/o/acme");
    bob.sign_out().await;

    // The attacker's pending sign-up died with the invitation's proof of the mailbox.
    assert_eq!(
        attacker.follow_verification_status(&attackers_link).await,
        StatusCode::GONE
    );
    assert_eq!(
        attacker
            .sign_in("bob@example.com", ATTACKER_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        attacker.get("/o/acme/members").await.status(),
        StatusCode::SEE_OTHER,
        "the attacker is not signed in anywhere"
    );
    assert_eq!(
        location(&bob.sign_in("bob@example.com", PASSWORD).await),
        "/o/acme"
    );
}

#[tokio::test]
async fn an_unverified_founder_holds_no_slug_and_a_later_verification_says_so() {
    let app = spawn_app().await;
    let stranger = app.other_browser();
    let fields = [
        ("org_name", "Microsoft"),
        ("slug", "microsoft"),
        ("name", "Not Satya"),
        ("email", "ceo@example.com"),
        ("password", ATTACKER_PASSWORD),
    ];
    let res = stranger.post("/signup/organization", &fields).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count("organizations").await, 0, "no slug is held");
    assert_eq!(
        app.get("/o/microsoft/login").await.status(),
        StatusCode::NOT_FOUND
    );

    // The real company, verified, takes the slug.
    app.create_verified_user("Real Founder", "founder@example.com", PASSWORD)
        .await;
    let res = app
        .post(
            "/signup/organization",
            &[("org_name", "Microsoft"), ("slug", "microsoft")],
        )
        .await;
    assert_eq!(location(&res), "/o/microsoft");

    // The stranger verifies later: the account exists, the organization is not theirs.
    let link = verification_link(&app, "ceo@example.com", 1).await;
    let res = stranger.follow_verification(&link).await;
    assert_eq!(location(&res), "/signup/organization");
    let page = stranger.get_html("/signup/organization").await;
    assert!(page.contains("taken in the meantime"), "{page}");
    let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(owners, 1, "only the real founder is a member");
}

#[tokio::test]
async fn an_unverified_self_sign_up_is_no_member_until_verified() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Open Source Club", "club", "shared", true)
        .await;
    let person = app.other_browser();
    person
        .sign_up_at("club", "Fake CEO", "ceo@example.com", PASSWORD)
        .await;
    assert_eq!(app.count("memberships").await, 0);
    assert_eq!(app.count("users WHERE email = 'ceo@example.com'").await, 0);
    let link = verification_link(&app, "ceo@example.com", 1).await;
    assert_eq!(
        location(&person.follow_verification(&link).await),
        "/o/club"
    );
    assert_eq!(app.count("memberships").await, 1);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE action = 'member.joined'")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        actions.len(),
        1,
        "the join is audited once, at verification"
    );
}

#[tokio::test]
async fn a_pending_sign_up_link_dies_when_the_address_is_verified_another_way() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", false).await;
    let person = app.other_browser();
    person.sign_up("Pat", "pat@example.com", PASSWORD).await;
    let link = verification_link(&app, "pat@example.com", 1).await;
    app.invite_owner("acme", "pat@example.com").await;
    person
        .accept_invitation_as_new("pat@example.com", "Pat", PASSWORD)
        .await;
    person.sign_out().await;
    assert_eq!(
        person.follow_verification_status(&link).await,
        StatusCode::GONE
    );
    assert_eq!(app.count("users").await, 2, "the operator and Pat");
}

#[tokio::test]
async fn signing_in_to_a_pending_sign_up_answers_like_a_wrong_password() {
    let app = spawn_app().await;
    app.create_verified_user("Ada", "ada@example.com", PASSWORD)
        .await;
    app.sign_out().await;
    // The attacker signs up both addresses with one password and tries it on each: a pending
    // sign-up must not answer differently from an existing account.
    let attacker = app.other_browser();
    for email in ["ada@example.com", "nobody@example.com"] {
        attacker.sign_up("Mallory", email, ATTACKER_PASSWORD).await;
    }
    let probe = |email: &'static str| {
        let attacker = &attacker;
        async move {
            let res = attacker.sign_in(email, ATTACKER_PASSWORD).await;
            let status = res.status();
            let html = res.text().await.unwrap();
            let html = html
                .replace(email, "EMAIL")
                .replace(&email.replace('@', "%40"), "EMAIL");
            (status, html)
        }
    };
    let existing = probe("ada@example.com").await;
    let pending = probe("nobody@example.com").await;
    assert_eq!(existing.0, StatusCode::UNAUTHORIZED);
    assert_eq!(existing, pending);
}

#[tokio::test]
async fn a_stranger_asking_to_resend_changes_nobody_elses_sign_up() {
    let app = spawn_app().await;
    app.sign_up("Ada", "ada@example.com", PASSWORD).await;
    let link = verification_link(&app, "ada@example.com", 1).await;
    let stranger = app.other_browser();
    let res = stranger
        .post("/verify-email/resend", &[("email", "ada@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.count("outbox").await,
        1,
        "nothing was sent for the stranger"
    );
    // Ada's own resend replaces her link.
    app.post("/verify-email/resend", &[("email", "ada@example.com")])
        .await;
    let newer = verification_link(&app, "ada@example.com", 2).await;
    assert_eq!(
        app.follow_verification_status(&link).await,
        StatusCode::GONE
    );
    assert_eq!(location(&app.follow_verification(&newer).await), "/account");
}

#[tokio::test]
async fn the_mailbox_owner_sees_what_a_sign_up_asks_for_and_may_refuse_it() {
    let app = spawn_app().await;
    let stranger = app.other_browser();
    let fields = [
        ("org_name", "Bobs Fake Corp"),
        ("slug", "bobs-fake"),
        ("name", "Mallory"),
        ("email", "bob@example.com"),
        ("password", ATTACKER_PASSWORD),
    ];
    stranger.post("/signup/organization", &fields).await;
    let link = verification_link(&app, "bob@example.com", 1).await;
    let html = app.get_html(&link.replace(&app.address, "")).await;
    assert!(
        html.contains("Mallory") && html.contains("Bobs Fake Corp"),
        "{html}"
    );
    // Bob takes the account with his own name and password, but not the organization.
    let res = app
        .post(
            "/verify-email",
            &[
                ("token", &token_in(&link)),
                ("name", "Bob"),
                ("new_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&res), "/account");
    assert_eq!(app.count("organizations").await, 0);
    assert!(app.get_html("/account").await.contains("value=\"Bob\""));
}
