//! The organization admin portal: members, roles, removal, leaving, invitations and settings.
use reqwest::StatusCode;

use crate::helpers::pager_href;
use crate::helpers::{PASSWORD, TestApp, location, spawn_app, token_in};

/// An organization `acme` whose owner (returned, signed in) was provisioned by the operator.
pub async fn acme_with_owner(app: &TestApp) -> TestApp {
    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", false).await;
    app.invite_owner("acme", "owner@acme.test").await;
    let owner = app.other_browser();
    let res = owner
        .accept_invitation_as_new("owner@acme.test", "Olive Owner", PASSWORD)
        .await;
    assert_eq!(location(&res), "/o/acme");
    owner
}

/// `by` invites `email` as `role` through the portal; the response.
async fn invite(by: &TestApp, email: &str, role: &str) -> reqwest::Response {
    by.post(
        "/o/acme/admin/invitations",
        &[("email", email), ("role", role)],
    )
    .await
}

/// Invites `email` as `role` and has them accept in a browser of their own (returned).
pub async fn member(
    app: &TestApp,
    owner: &TestApp,
    email: &str,
    name: &str,
    role: &str,
) -> TestApp {
    let seen = app.mails_to(email).len();
    assert_eq!(
        invite(owner, email, role).await.status(),
        StatusCode::SEE_OTHER
    );
    app.next_mail_to(email, seen).await;
    let person = app.other_browser();
    let res = person.accept_invitation_as_new(email, name, PASSWORD).await;
    assert_eq!(location(&res), "/o/acme", "{email} joined");
    person
}

pub async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email.to_owned())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn role_of(app: &TestApp, email: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1",
    )
    .bind(email.to_owned())
    .fetch_optional(app.store.pool())
    .await
    .unwrap()
}

async fn set_role(by: &TestApp, app: &TestApp, email: &str, role: &str) -> reqwest::Response {
    let id = user_id(app, email).await;
    by.post(
        &format!("/o/acme/admin/members/{id}/role"),
        &[("role", role)],
    )
    .await
}

#[tokio::test]
async fn members_are_found_by_the_start_of_their_email_or_name() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    member(&app, &owner, "ada@acme.test", "Ada Lovelace", "member").await;
    member(
        &app,
        &owner,
        "rear.admiral@acme.test",
        "Grace Hopper",
        "member",
    )
    .await;
    let by_email = owner.get_html("/o/acme/admin/members?q=ada").await;
    assert!(by_email.contains("ada@acme.test") && !by_email.contains("rear.admiral@"));
    let by_name = owner.get_html("/o/acme/admin/members?q=GRA").await;
    assert!(by_name.contains("rear.admiral@acme.test") && !by_name.contains("ada@acme.test"));
    let none = owner.get_html("/o/acme/admin/members?q=zed").await;
    assert!(none.contains("starts with"));
    let all = owner.get_html("/o/acme/admin/members").await;
    assert!(all.contains("ada@acme.test") && all.contains("rear.admiral@acme.test"));
}

#[tokio::test]
async fn admins_cannot_grant_above_their_role_nor_touch_owners() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let admin = member(&app, &owner, "admin@acme.test", "Adam Admin", "admin").await;
    member(&app, &owner, "mel@acme.test", "Mel Member", "member").await;
    let audit_before = app.count("audit_events").await;

    let res = set_role(&admin, &app, "mel@acme.test", "owner").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("above your own"));
    let res = set_role(&admin, &app, "owner@acme.test", "member").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Only an owner"));
    let id = user_id(&app, "owner@acme.test").await;
    let res = admin
        .post(&format!("/o/acme/admin/members/{id}/remove"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        role_of(&app, "mel@acme.test").await.as_deref(),
        Some("member")
    );
    assert_eq!(
        role_of(&app, "owner@acme.test").await.as_deref(),
        Some("owner")
    );
    assert_eq!(
        app.count("audit_events").await,
        audit_before,
        "refusals write nothing"
    );

    // What an admin may do: make a member an admin.
    let res = set_role(&admin, &app, "mel@acme.test", "admin").await;
    assert_eq!(location(&res), "/o/acme/admin/members");
    assert_eq!(
        role_of(&app, "mel@acme.test").await.as_deref(),
        Some("admin")
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_events WHERE action = 'member.role_changed'")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(actions.len(), 1);
    // A plain member has no portal at all.
    let mel_member = member(&app, &owner, "pat@acme.test", "Pat Plain", "member").await;
    assert_eq!(
        mel_member.get("/o/acme/admin/members").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_last_owner_can_neither_leave_nor_be_demoted() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let res = set_role(&owner, &app, "owner@acme.test", "admin").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("last owner"));
    let res = owner.post("/o/acme/leave", &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("last owner"));
    assert_eq!(
        role_of(&app, "owner@acme.test").await.as_deref(),
        Some("owner")
    );

    // With a second owner, the first may step down.
    member(&app, &owner, "second@acme.test", "Sam Second", "owner").await;
    let res = set_role(&owner, &app, "owner@acme.test", "admin").await;
    assert_eq!(location(&res), "/o/acme/admin/members");
    assert_eq!(
        role_of(&app, "owner@acme.test").await.as_deref(),
        Some("admin")
    );
}

#[tokio::test]
async fn two_owners_demoting_each_other_at_once_leave_one_owner() {
    let app = spawn_app().await;
    let first = acme_with_owner(&app).await;
    let second = member(&app, &first, "second@acme.test", "Sam Second", "owner").await;
    let (a, b) = tokio::join!(
        set_role(&first, &app, "second@acme.test", "member"),
        set_role(&second, &app, "owner@acme.test", "member"),
    );
    let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE role = 'owner'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(owners, 1, "answers: {} and {}", a.status(), b.status());
}

#[tokio::test]
async fn a_removed_member_loses_the_organization_at_once() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let mel = member(&app, &owner, "mel@acme.test", "Mel Member", "member").await;
    assert!(
        mel.get_html("/orgs")
            .await
            .contains("class=\"current-org\">Acme<")
    );
    let id = user_id(&app, "mel@acme.test").await;
    let res = owner
        .post(&format!("/o/acme/admin/members/{id}/remove"), &[])
        .await;
    assert_eq!(location(&res), "/o/acme/admin/members");
    assert_eq!(mel.get("/o/acme").await.status(), StatusCode::NOT_FOUND);
    let picker = mel.get_html("/orgs").await;
    assert!(
        !picker.contains("current-org"),
        "the current organization is cleared"
    );
    assert!(!picker.contains("Acme"));
    let last: Option<String> =
        sqlx::query_scalar("SELECT last_organization_id FROM users WHERE email = 'mel@acme.test'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(last, None);
    let removed: i64 = app
        .count("audit_events WHERE action = 'member.removed'")
        .await;
    assert_eq!(removed, 1);
}

#[tokio::test]
async fn members_leave_from_the_picker() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let mel = member(&app, &owner, "mel@acme.test", "Mel Member", "member").await;
    let res = mel.post("/o/acme/leave", &[]).await;
    assert_eq!(location(&res), "/orgs");
    assert!(
        mel.get_html("/orgs")
            .await
            .contains("You left the organization")
    );
    assert_eq!(mel.get("/o/acme").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(role_of(&app, "mel@acme.test").await, None);
    assert_eq!(
        app.count("audit_events WHERE action = 'member.left'").await,
        1
    );
}

#[tokio::test]
async fn inviting_a_member_or_a_pending_address_again_says_so_and_sends_nothing() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    assert_eq!(
        invite(&owner, "new@acme.test", "member").await.status(),
        StatusCode::SEE_OTHER
    );
    let queued = app.queued_to("new@acme.test").await;
    let res = invite(&owner, "new@acme.test", "admin").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("pending invitation already")
    );
    let res = invite(&owner, "owner@acme.test", "member").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("already a member"));
    assert_eq!(
        app.queued_to("new@acme.test").await,
        queued,
        "no second mail"
    );
    for (email, role, message) in [
        ("not-an-email", "member", "valid email"),
        ("x@acme.test", "king", "Choose owner"),
    ] {
        let res = invite(&owner, email, role).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains(message), "{message}");
    }
    assert_eq!(app.count("invitations").await, 2, "the owner's and new@'s");
}

#[tokio::test]
async fn an_admin_cannot_invite_an_owner() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let admin = member(&app, &owner, "admin@acme.test", "Adam Admin", "admin").await;
    let res = invite(&admin, "boss@acme.test", "owner").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("above your own"));
    assert_eq!(app.queued_to("boss@acme.test").await, 0);
}

async fn invitation_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM invitations WHERE email = $1")
        .bind(email.to_owned())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn resending_replaces_the_link_and_revoking_withdraws_it() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    invite(&owner, "new@acme.test", "member").await;
    let first = app
        .nth_mail_to("new@acme.test", 1)
        .await
        .link_to("/invitations/");
    let id = invitation_id(&app, "new@acme.test").await;
    let res = owner
        .post(&format!("/o/acme/admin/invitations/{id}/resend"), &[])
        .await;
    assert_eq!(location(&res), "/o/acme/admin/invitations");
    let second = app
        .nth_mail_to("new@acme.test", 2)
        .await
        .link_to("/invitations/");
    assert_ne!(first, second);
    let visitor = app.other_browser();
    assert_eq!(
        visitor.get(&first.replace(&app.address, "")).await.status(),
        StatusCode::GONE
    );
    assert_eq!(
        visitor
            .get(&second.replace(&app.address, ""))
            .await
            .status(),
        StatusCode::OK
    );

    let res = owner
        .post(&format!("/o/acme/admin/invitations/{id}/revoke"), &[])
        .await;
    assert_eq!(location(&res), "/o/acme/admin/invitations");
    let res = visitor.get(&second.replace(&app.address, "")).await;
    assert_eq!(res.status(), StatusCode::GONE);
    let html = res.text().await.unwrap();
    assert!(html.contains("withdrawn") && html.contains("ask them for a new invitation"));
    let list = owner.get_html("/o/acme/admin/invitations").await;
    assert!(list.contains("revoked"));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE action LIKE 'invitation.re%' ORDER BY id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(actions, ["invitation.resent", "invitation.revoked"]);
}

#[tokio::test]
async fn an_expired_invitation_says_so_and_can_be_sent_again() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    invite(&owner, "late@acme.test", "member").await;
    let link = app
        .nth_mail_to("late@acme.test", 1)
        .await
        .link_to("/invitations/");
    app.exec("UPDATE invitations SET expires_at = 1 WHERE email = 'late@acme.test'")
        .await;
    let visitor = app.other_browser();
    let res = visitor.get(&link.replace(&app.address, "")).await;
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(res.text().await.unwrap().contains("has expired"));
    assert!(
        owner
            .get_html("/o/acme/admin/invitations")
            .await
            .contains("expired")
    );
    let id = invitation_id(&app, "late@acme.test").await;
    owner
        .post(&format!("/o/acme/admin/invitations/{id}/resend"), &[])
        .await;
    let fresh = app
        .nth_mail_to("late@acme.test", 2)
        .await
        .link_to("/invitations/");
    assert_eq!(
        visitor.get(&fresh.replace(&app.address, "")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_mismatched_account_never_burns_the_invitation() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    invite(&owner, "bob@acme.test", "member").await;
    let path = app
        .nth_mail_to("bob@acme.test", 1)
        .await
        .link_to("/invitations/")
        .replace(&app.address, "");
    // Alice, signed in, opens Bob's link.
    let alice = app.other_browser();
    alice
        .create_verified_user("Alice", "alice@example.com", PASSWORD)
        .await;
    let page = alice.get_html(&path).await;
    assert!(
        page.contains("signed in as <strong>alice@example.com</strong>"),
        "{page}"
    );
    assert!(page.contains("Sign out and continue"));
    let res = alice.post(&path, &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(role_of(&app, "alice@example.com").await, None);
    // Signing out from there comes back to the invitation, still valid.
    let res = alice.post("/logout", &[("return_to", &path)]).await;
    assert_eq!(location(&res), path);
    let res = alice
        .post(&path, &[("name", "Bob"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/o/acme");
    assert_eq!(
        role_of(&app, "bob@acme.test").await.as_deref(),
        Some("member")
    );
    // Sign-out never sends anyone off the site.
    let res = alice
        .post("/logout", &[("return_to", "//evil.example/x")])
        .await;
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn two_accepts_at_once_make_one_membership_and_a_second_click_leads_in() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    invite(&owner, "twice@acme.test", "member").await;
    let path = app
        .nth_mail_to("twice@acme.test", 1)
        .await
        .link_to("/invitations/")
        .replace(&app.address, "");
    let (one, two) = (app.other_browser(), app.other_browser());
    one.get(&path).await;
    two.get(&path).await;
    let fields = [("name", "Twice"), ("password", PASSWORD)];
    let (a, b) = tokio::join!(one.post(&path, &fields), two.post(&path, &fields));
    let joined = [&a, &b]
        .iter()
        .filter(|res| location(res) == "/o/acme")
        .count();
    assert_eq!(joined, 1, "{} and {}", a.status(), b.status());
    let memberships: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE u.email = 'twice@acme.test'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(memberships, 1);
    assert_eq!(app.count("users WHERE email = 'twice@acme.test'").await, 1);
    // The member clicks the link again: into the organization, not an error page.
    let member = if location(&a) == "/o/acme" {
        &one
    } else {
        &two
    };
    let again = member.get(&path).await;
    assert_eq!(location(&again), "/o/acme");
    // Anyone else learns it was accepted and is offered the organization's sign-in.
    let stranger = app.other_browser();
    let page = stranger.get_html(&path).await;
    assert!(page.contains("accepted already") && page.contains("/o/acme/login"));
    let _ = token_in;
}

#[tokio::test]
async fn owners_set_the_name_who_may_join_and_the_invitation_lifetime() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let admin = member(&app, &owner, "admin@acme.test", "Adam Admin", "admin").await;
    assert_eq!(
        admin.get("/o/acme/admin/settings").await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        !admin
            .get_html("/o/acme/admin/members")
            .await
            .contains(">Settings<")
    );
    assert_eq!(
        app.get("/o/acme/signup").await.status(),
        StatusCode::FORBIDDEN,
        "invitation only"
    );

    for (name, policy, days, message) in [
        ("", "anyone", "7", "Enter the organization"),
        ("Acme", "everyone", "7", "Choose who may join"),
        ("Acme", "anyone", "31", "1 to 30 days"),
    ] {
        let fields = [
            ("name", name),
            ("join_policy", policy),
            ("invitation_days", days),
        ];
        let res = owner.post("/o/acme/admin/settings", &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(res.text().await.unwrap().contains(message), "{message}");
    }
    let fields = [
        ("name", "Acme Rockets"),
        ("join_policy", "anyone"),
        ("invitation_days", "3"),
    ];
    let res = owner.post("/o/acme/admin/settings", &fields).await;
    assert_eq!(location(&res), "/o/acme/admin/settings");
    assert!(owner.get_html("/o/acme").await.contains("Acme Rockets"));
    let visitor = app.other_browser();
    assert_eq!(
        visitor.get("/o/acme/signup").await.status(),
        StatusCode::OK,
        "anyone may join"
    );

    invite(&owner, "soon@acme.test", "member").await;
    let lifetime: i64 = sqlx::query_scalar(
        "SELECT expires_at - created_at FROM invitations WHERE email = 'soon@acme.test'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(lifetime, 3 * 24 * 3600);
    let mail = app.nth_mail_to("soon@acme.test", 1).await;
    assert!(mail.text.contains("for 3 days") && mail.text.contains("Acme Rockets"));
    assert_eq!(
        app.count("audit_events WHERE action = 'organization.settings_changed'")
            .await,
        1
    );
}

/// Uploads `csv` as the bulk-invitation file, CSRF token first.
async fn upload(by: &TestApp, csv: &[u8]) -> reqwest::Response {
    let token = by.csrf().await;
    let boundary = "usherCsvBoundary42";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    by.client
        .post(by.url("/o/acme/admin/invitations/upload"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_csv_file_invites_its_rows_and_says_what_became_of_each() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    invite(&owner, "pending@acme.test", "member").await;
    let admin = member(&app, &owner, "admin@acme.test", "Adam Admin", "admin").await;
    let csv = b"email,role\n\
        new1@acme.test,member\n\
        New2@Acme.test,admin\n\
        owner@acme.test,member\n\
        pending@acme.test,member\n\
        not-an-email,member\n\
        new3@acme.test,king\n\
        new1@acme.test,admin\n\
        boss@acme.test,owner\n\
        plain@acme.test\n";
    let queued_before = app.count("outbox").await;
    let res = upload(&admin, csv).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("3 of 9 rows were invited"), "{html}");
    for outcome in [
        "already a member",
        "already invited",
        "invalid email",
        "unknown role",
        "listed twice in the file",
        "role above your own",
    ] {
        assert!(html.contains(outcome), "{outcome}");
    }
    assert_eq!(app.count("outbox").await, queued_before + 3);
    for email in ["new1@acme.test", "new2@acme.test", "plain@acme.test"] {
        assert_eq!(app.queued_to(email).await, 1, "{email}");
    }
    let role: String =
        sqlx::query_scalar("SELECT role FROM invitations WHERE email = 'new2@acme.test'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(role, "admin");
}

#[tokio::test]
async fn a_bad_file_invites_nobody_and_says_why() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let before = (app.count("invitations").await, app.count("outbox").await);
    let too_large = vec![b'a'; 2 * 1024 * 1024 + 10];
    let cases: [(&[u8], StatusCode, &str); 4] = [
        (
            b"ok@acme.test,member\nx@acme.test,member,extra\n",
            StatusCode::UNPROCESSABLE_ENTITY,
            "Line 2 has 3 columns",
        ),
        (
            b"ok@acme.test,member\n\xff\xfe\n",
            StatusCode::UNPROCESSABLE_ENTITY,
            "not UTF-8",
        ),
        (b"email,role\n", StatusCode::UNPROCESSABLE_ENTITY, "no rows"),
        (
            &too_large,
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than 2 MB",
        ),
    ];
    for (csv, status, message) in cases {
        let res = upload(&owner, csv).await;
        assert_eq!(res.status(), status, "{message}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{message}");
        assert!(
            html.contains("request id") || html.contains("Invite many"),
            "a page, {message}"
        );
    }
    assert_eq!(
        (app.count("invitations").await, app.count("outbox").await),
        before
    );
    // Without the CSRF token first, nothing is read at all.
    let res = owner
        .client
        .post(owner.url("/o/acme/admin/invitations/upload"))
        .header("content-type", "multipart/form-data; boundary=b")
        .body(
            "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nz@acme.test\r\n--b--\r\n",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn search_pages_list_email_matches_then_name_matches_each_once() {
    use usher::domain::{ConnectionId, DisplayName, Email, Role};
    use usher::store::{memberships, organizations, users};

    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let acme = organizations::find_by_slug(app.store.pool(), "acme")
        .await
        .unwrap()
        .unwrap();
    let shared = ConnectionId::default_password();
    let hash = usher::credentials::hash_once("not used for signing in").unwrap();
    let mut tx = app.store.begin().await.unwrap();
    // 30 whose email starts with "ann", 40 whose name alone does, 5 with neither; one of the
    // email matches is also called Ann.
    let people = (0..30)
        .map(|i| {
            (
                format!("ann{i:02}@acme.test"),
                if i == 0 {
                    "Ann Both".into()
                } else {
                    format!("Bo {i}")
                },
            )
        })
        .chain((0..40).map(|i| (format!("aa{i:02}@acme.test"), format!("Anna {i:02}"))))
        .chain((0..5).map(|i| (format!("other{i}@acme.test"), format!("Other {i}"))));
    for (email, name) in people {
        let (email, name) = (
            Email::parse(&email).unwrap(),
            DisplayName::parse(&name).unwrap(),
        );
        let form = users::UserInsertForm {
            connection_id: &shared,
            email: &email,
            name: &name,
            password_hash: Some(&hash),
            email_verified: true,
            operator: false,
        };
        let user = users::insert(&mut *tx, form).await.unwrap();
        memberships::insert(&mut *tx, &acme.id, &user, Role::Member)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let emails_in = |html: &str| -> Vec<String> {
        html.split("<td>")
            .filter_map(|cell| cell.split("</td>").next())
            .filter(|cell| cell.ends_with("@acme.test"))
            .map(str::to_owned)
            .collect()
    };
    let first = owner.get_html("/o/acme/admin/members?q=Ann").await;
    let mut seen = emails_in(&first);
    assert_eq!(seen.len(), 50);
    assert_eq!(seen[0], "ann00@acme.test", "email matches first, by email");
    assert_eq!(seen[30], "aa00@acme.test", "then name matches, by name");
    let next = pager_href(&first).expect("a second page");
    let second = owner.get_html(&next).await;
    seen.extend(emails_in(&second));
    assert!(!second.contains(r#"class="pager""#), "two pages in all");
    let expected: Vec<String> = (0..30)
        .map(|i| format!("ann{i:02}@acme.test"))
        .chain((0..40).map(|i| format!("aa{i:02}@acme.test")))
        .collect();
    assert_eq!(seen, expected, "every match once, none of the others");
}
