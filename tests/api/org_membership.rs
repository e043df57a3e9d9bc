//! Isolated and shared membership, the picker and switching.
use reqwest::StatusCode;

use crate::helpers::{NEW_PASSWORD, PASSWORD, TestApp, location, spawn_app};

async fn verify_latest(app: &TestApp, email: &str) -> String {
    let mail = app.last_mail_with_subject(email, "Verify").await;
    location(
        &app.follow_verification(&mail.link_to("/verify-email"))
            .await,
    )
}

#[tokio::test]
async fn the_same_email_has_separate_accounts_in_two_isolated_orgs() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "isolated", true).await;
    app.create_org("Globex", "globex", "isolated", true).await;
    let person = app.other_browser();

    assert_eq!(
        person
            .sign_up_at("acme", "Pat", "pat@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(verify_latest(&person, "pat@example.com").await, "/o/acme");
    person.sign_out().await;
    assert_eq!(
        person
            .sign_up_at("globex", "Pat", "pat@example.com", NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(verify_latest(&person, "pat@example.com").await, "/o/globex");
    person.sign_out().await;

    let users: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = 'pat@example.com'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(users, 2, "two separate accounts");

    // Each password works only at its own organization.
    assert_eq!(
        location(&person.sign_in_at("acme", "pat@example.com", PASSWORD).await),
        "/o/acme"
    );
    assert_eq!(
        person.get("/o/globex").await.status(),
        StatusCode::NOT_FOUND,
        "acme's account is not in globex"
    );
    person.sign_out().await;
    assert_eq!(
        person
            .sign_in_at("acme", "pat@example.com", NEW_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        location(
            &person
                .sign_in_at("globex", "pat@example.com", NEW_PASSWORD)
                .await
        ),
        "/o/globex"
    );
    person.sign_out().await;
    assert_eq!(
        person
            .sign_in_at("globex", "pat@example.com", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Neither account exists on the shared connection.
    assert_eq!(
        person.sign_in("pat@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn self_signup_is_off_unless_the_org_allows_it() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Closed", "closed", "isolated", false).await;
    let person = app.other_browser();
    assert_eq!(
        person.get("/o/closed/signup").await.status(),
        StatusCode::FORBIDDEN
    );
    let res = person
        .sign_up_at("closed", "Pat", "pat@example.com", PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("invitation"));
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn signing_up_into_a_shared_org_joins_it_as_member() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Open Shared", "open-shared", "shared", true)
        .await;
    let person = app.other_browser();
    person
        .sign_up_at("open-shared", "Pat", "pat@example.com", PASSWORD)
        .await;
    assert_eq!(
        verify_latest(&person, "pat@example.com").await,
        "/o/open-shared"
    );
    assert!(person.get_html("/o/open-shared").await.contains("member"));
    // A member cannot see the member list.
    assert_eq!(
        person.get("/o/open-shared/members").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_user_in_two_shared_orgs_picks_one_and_switches() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Alpha", "alpha", "shared", false).await;
    app.create_org("Beta", "beta", "shared", false).await;
    app.invite_owner("alpha", "sam@example.com").await;
    let sam = app.other_browser();
    assert_eq!(
        location(
            &sam.accept_invitation_as_new("sam@example.com", "Sam", PASSWORD)
                .await
        ),
        "/o/alpha"
    );
    app.invite_owner("beta", "sam@example.com").await;
    let link = app
        .last_mail_with_subject("sam@example.com", "invited")
        .await
        .link_to("/invitations/");
    let path = link.replace(&app.address, "");
    // Signed in as the invitee: one button joins.
    assert!(sam.get_html(&path).await.contains("Join Beta"));
    assert_eq!(location(&sam.post(&path, &[]).await), "/o/beta");
    sam.sign_out().await;

    // Two memberships: the picker, with the last choice (Beta) first.
    assert_eq!(
        location(&sam.sign_in("sam@example.com", PASSWORD).await),
        "/orgs"
    );
    let picker = sam.get_html("/orgs").await;
    let (beta, alpha) = (
        picker.find("<strong>Beta</strong>").unwrap(),
        picker.find("<strong>Alpha</strong>").unwrap(),
    );
    assert!(beta < alpha, "the last choice is offered first");

    let res = sam.post("/orgs/switch", &[("slug", "alpha")]).await;
    assert_eq!(location(&res), "/o/alpha");
    assert!(
        sam.get_html("/account")
            .await
            .contains("class=\"current-org\">Alpha<")
    );
    sam.sign_out().await;
    sam.sign_in("sam@example.com", PASSWORD).await;
    let picker = sam.get_html("/orgs").await;
    assert!(
        picker.find("<strong>Alpha</strong>").unwrap()
            < picker.find("<strong>Beta</strong>").unwrap()
    );

    // Switching to an organization one is not in changes nothing.
    app.create_org("Gamma", "gamma", "shared", false).await;
    assert_eq!(
        sam.post("/orgs/switch", &[("slug", "gamma")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_single_membership_goes_straight_in_and_org_sign_in_lands_in_that_org() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Solo", "solo", "shared", false).await;
    app.invite_owner("solo", "sol@example.com").await;
    let sol = app.other_browser();
    sol.accept_invitation_as_new("sol@example.com", "Sol", PASSWORD)
        .await;
    sol.sign_out().await;
    assert_eq!(
        location(&sol.sign_in("sol@example.com", PASSWORD).await),
        "/o/solo"
    );
    sol.sign_out().await;
    assert_eq!(
        location(&sol.sign_in_at("solo", "sol@example.com", PASSWORD).await),
        "/o/solo"
    );
    let branded = sol.get_html("/o/solo/login").await;
    assert!(branded.contains("Solo"));
}

#[tokio::test]
async fn org_pages_show_the_orgs_name_logo_and_colour() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Brandy", "brandy", "shared", true).await;
    let visitor = app.other_browser();
    assert_eq!(
        visitor.get("/o/brandy/brand.css").await.status(),
        StatusCode::NOT_FOUND,
        "no colour set yet"
    );
    app.exec("UPDATE organizations SET primary_color = '#aa3300', logo_url = 'https://brandy.test/logo.png' WHERE slug = 'brandy'")
        .await;
    for path in [
        "/o/brandy/login",
        "/o/brandy/signup",
        "/o/brandy/forgot-password",
    ] {
        let html = visitor.get_html(path).await;
        assert!(
            html.contains("Brandy") && html.contains("https://brandy.test/logo.png"),
            "{path}"
        );
        assert!(html.contains("href=\"/o/brandy/brand.css\""), "{path}");
        assert!(
            html.contains("action=\"/o/brandy/"),
            "{path}: forms stay in the organization"
        );
    }
    let css = visitor.get("/o/brandy/brand.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains("--accent: #aa3300"));
    assert_eq!(
        visitor.get("/o/nobody/login").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_isolated_orgs_member_recovers_the_password_on_the_orgs_own_pages() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "isolated", true).await;
    let pat = app.other_browser();
    pat.sign_up_at("acme", "Pat", "pat@example.com", PASSWORD)
        .await;
    verify_latest(&pat, "pat@example.com").await;
    pat.sign_out().await;

    // The deployment's own page knows no such account; the organization's page does.
    pat.post("/forgot-password", &[("email", "pat@example.com")])
        .await;
    let token = pat
        .reset_token_via("/o/acme/forgot-password", "pat@example.com")
        .await;
    let res = pat
        .post(
            "/reset-password",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(
        location(&res),
        "/o/acme/login",
        "back to the organization's own sign-in"
    );
    assert_eq!(
        location(
            &pat.sign_in_at("acme", "pat@example.com", NEW_PASSWORD)
                .await
        ),
        "/o/acme"
    );
    // An isolated account cannot found an organization of its own.
    let res = pat
        .post(
            "/signup/organization",
            &[("org_name", "Pat's Own"), ("slug", "pats-own")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("belongs to an isolated organization")
    );
}
