//! The operator's provisioning portal.
use reqwest::StatusCode;

use crate::helpers::{NEW_PASSWORD, PASSWORD, location, spawn_app};

#[tokio::test]
async fn the_operator_creates_an_org_and_provisions_its_owner_who_accepts_and_signs_in() {
    let app = spawn_app().await;
    app.become_operator().await;
    let res = app.create_org("Globex", "globex", "isolated", false).await;
    assert_eq!(location(&res), "/admin/orgs/globex");
    let res = app.invite_owner("globex", "hank@globex.test").await;
    assert_eq!(location(&res), "/admin/orgs/globex");

    let mail = app
        .last_mail_with_subject("hank@globex.test", "invited")
        .await;
    assert!(
        mail.text
            .contains("Olga Operator invited you to join Globex as owner"),
        "{}",
        mail.text
    );

    let hank = app.other_browser();
    let res = hank
        .accept_invitation_as_new("hank@globex.test", "Hank Scorpio", PASSWORD)
        .await;
    assert_eq!(location(&res), "/o/globex");
    assert!(hank.get_html("/o/globex").await.contains("owner"));
    hank.sign_out().await;

    // The isolated organization's own sign-in page finds the account; the shared one does not.
    assert_eq!(
        location(
            &hank
                .sign_in_at("globex", "hank@globex.test", PASSWORD)
                .await
        ),
        "/o/globex"
    );
    hank.sign_out().await;
    assert_eq!(
        hank.sign_in("hank@globex.test", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The invitation works once: opened again, it says it was accepted and offers the sign-in.
    let link = app
        .last_mail_with_subject("hank@globex.test", "invited")
        .await
        .link_to("/invitations/");
    let again = hank.get(&link.replace(&app.address, "")).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again = again.text().await.unwrap();
    assert!(again.contains("accepted already") && !again.contains("Create account"));

    let audit = app.get_html("/admin/audit").await;
    for action in [
        "organization.created",
        "invitation.sent",
        "invitation.accepted",
    ] {
        assert!(
            audit.contains(action),
            "{action} missing from the audit log"
        );
    }
    assert!(audit.contains("olga@example.com") && audit.contains("127.0.0.1"));
    let members = app.get_html("/admin/orgs/globex").await;
    assert!(members.contains("hank@globex.test"));

    // Inviting someone who is already a member is refused on the form, and sends nothing.
    let invitations = app.count("invitations").await;
    let res = app.invite_owner("globex", "hank@globex.test").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("already a member of Globex")
    );
    assert_eq!(app.count("invitations").await, invitations);
}

#[tokio::test]
async fn an_invitation_to_an_existing_shared_account_asks_for_its_password() {
    let app = spawn_app().await;
    let ada = app.other_browser();
    ada.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    ada.sign_out().await;
    app.become_operator().await;
    app.create_org("Initech", "initech", "shared", false).await;
    app.invite_owner("initech", "ada@example.com").await;
    let link = app
        .last_mail_with_subject("ada@example.com", "invited")
        .await
        .link_to("/invitations/");
    let path = link.replace(&app.address, "");
    let page = ada.get_html(&path).await;
    assert!(page.contains("already have an account"));
    // Blocked accounts cannot accept; the check is a sign-in like any other.
    app.exec("UPDATE users SET blocked_at = 1 WHERE email = 'ada@example.com'")
        .await;
    assert_eq!(
        ada.post(&path, &[("password", PASSWORD)]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.exec("UPDATE users SET blocked_at = NULL WHERE email = 'ada@example.com'")
        .await;
    let wrong = ada.post(&path, &[("password", NEW_PASSWORD)]).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let res = ada.post(&path, &[("password", PASSWORD)]).await;
    assert_eq!(location(&res), "/o/initech");
    assert_eq!(app.count("users").await, 2, "no second account");
}

#[tokio::test]
async fn the_operator_lists_and_searches_organizations_page_by_page() {
    let app = spawn_app().await;
    app.become_operator().await;
    for i in 0..55 {
        let res = app
            .create_org(
                &format!("Org {i:02}"),
                &format!("org-{i:02}"),
                "shared",
                false,
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    app.create_org("Zebra Stripes", "zebra", "shared", false)
        .await;
    let first = app.get_html("/admin/orgs").await;
    assert!(first.contains("Org 00") && first.contains("Org 49") && !first.contains("Org 50"));
    let next = first
        .split("after=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let second = app.get_html(&format!("/admin/orgs?q=&after={next}")).await;
    assert!(second.contains("Org 50") && second.contains("Zebra") && !second.contains("Org 49"));
    let search = app.get_html("/admin/orgs?q=zeb").await;
    assert!(search.contains("Zebra Stripes") && !search.contains("Org 00"));
}

#[tokio::test]
async fn the_operator_lists_users_across_the_deployment() {
    let app = spawn_app().await;
    app.other_browser()
        .create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    app.become_operator().await;
    let html = app.get_html("/admin/users").await;
    assert!(html.contains("ada@example.com") && html.contains("olga@example.com"));
}

#[tokio::test]
async fn suspension_is_enforced_on_the_next_request_and_lifted_by_reactivation() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Umbrella", "umbrella", "shared", false)
        .await;
    app.invite_owner("umbrella", "alice@umbrella.test").await;
    let alice = app.other_browser();
    alice
        .accept_invitation_as_new("alice@umbrella.test", "Alice", PASSWORD)
        .await;
    assert_eq!(alice.get("/o/umbrella").await.status(), StatusCode::OK);

    app.invite_owner("umbrella", "bob@umbrella.test").await;
    let bob_link = app
        .last_mail_with_subject("bob@umbrella.test", "invited")
        .await
        .link_to("/invitations/");
    app.post(
        "/admin/orgs/umbrella/suspend",
        &[("reason", "Unpaid invoices")],
    )
    .await;
    let res = alice.get("/o/umbrella").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("suspended") && html.contains("Unpaid invoices"));
    assert_eq!(
        alice.get("/o/umbrella/login").await.status(),
        StatusCode::FORBIDDEN
    );

    let bob = app.other_browser();
    let res = bob.get(&bob_link.replace(&app.address, "")).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "no joining a suspended organization"
    );
    app.post("/admin/orgs/umbrella/reactivate", &[]).await;
    assert_eq!(alice.get("/o/umbrella").await.status(), StatusCode::OK);
    let audit = app.get_html("/admin/audit").await;
    assert!(audit.contains("organization.suspended") && audit.contains("organization.reactivated"));
}

#[tokio::test]
async fn bad_operator_input_gets_422_and_writes_nothing() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Taken", "taken", "shared", false).await;
    let before = (
        app.count("organizations").await,
        app.count("connections").await,
        app.count("audit_events").await,
    );
    for (name, slug, mode) in [
        ("Other", "taken", "shared"),
        ("Other", "-bad-", "shared"),
        ("Other", "fine", "federated"),
    ] {
        let res = app.create_org(name, slug, mode, false).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{slug} {mode}"
        );
    }
    let fields = [
        ("name", "Other"),
        ("slug", "other"),
        ("mode", "shared"),
        ("connection", "no-such-connection"),
    ];
    let res = app.post("/admin/orgs/new", &fields).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "connections come from the list"
    );
    let res = app.invite_owner("taken", "not an email").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let after = (
        app.count("organizations").await,
        app.count("connections").await,
        app.count("audit_events").await,
    );
    assert_eq!(before, after);
    assert_eq!(app.count("invitations").await, 0);
}

#[tokio::test]
async fn the_org_list_counts_members() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Counted", "counted", "shared", false).await;
    for who in ["one@example.com", "two@example.com"] {
        app.invite_owner("counted", who).await;
        app.other_browser()
            .accept_invitation_as_new(who, "Someone", PASSWORD)
            .await;
    }
    let list = app.get_html("/admin/orgs?q=counted").await;
    assert!(list.contains("<td>2</td>"), "{list}");
    app.exec("DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE email = 'one@example.com')").await;
    assert!(
        app.get_html("/admin/orgs?q=counted")
            .await
            .contains("<td>1</td>")
    );
}
