//! Every org-scoped route, called by every kind of caller: only members of the right kind get
//! in; everyone else gets 404 (or a sign-in redirect when anonymous) and nothing is written.
use reqwest::{Method, StatusCode};

use crate::helpers::{PASSWORD, TestApp, csrf_in, spawn_app};

/// The org-scoped routes of organization `a`, with the method they take.
const ORG_ROUTES: &[(&str, &str)] = &[("GET", "/o/org-a"), ("GET", "/o/org-a/members")];
/// The operator's routes about organization `a`.
const ADMIN_ROUTES: &[(&str, &str)] = &[
    ("GET", "/admin/orgs/org-a"),
    ("POST", "/admin/orgs/org-a/suspend"),
    ("POST", "/admin/orgs/org-a/reactivate"),
    ("POST", "/admin/orgs/org-a/invite"),
    ("GET", "/admin/orgs"),
    ("GET", "/admin/users"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/orgs/new"),
    ("POST", "/admin/orgs/new"),
    ("GET", "/admin/apps"),
    ("GET", "/admin/apps/new"),
    ("POST", "/admin/apps/new"),
];

async fn call(who: &TestApp, method: &str, path: &str) -> StatusCode {
    let token = csrf_in(&who.get_html("/forgot-password").await);
    let request = if method == "POST" {
        let form = [
            ("csrf_token", token.as_str()),
            ("email", "x@example.com"),
            ("reason", "x"),
            ("name", "X"),
            ("slug", "x-org"),
            ("mode", "shared"),
        ];
        who.client.request(Method::POST, who.url(path)).form(&form)
    } else {
        who.client.get(who.url(path))
    };
    request.send().await.unwrap().status()
}

async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "organizations",
        "memberships",
        "invitations",
        "audit_events",
        "users",
        "outbox",
        "domains",
        "organization_logos",
        "applications",
        "client_secrets",
    ] {
        counts.push(app.count(table).await);
    }
    let suspended: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE suspended_at IS NOT NULL")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    counts.push(suspended);
    counts
}

#[tokio::test]
async fn org_scoped_routes_admit_only_their_members_and_operators_only_the_portal() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Org A", "org-a", "shared", false).await;
    app.create_org("Org B", "org-b", "shared", false).await;
    let join = |org: &'static str, email: &'static str| {
        let app = &app;
        async move {
            app.invite_owner(org, email).await;
            let who = app.other_browser();
            who.accept_invitation_as_new(email, "Person", PASSWORD)
                .await;
            who
        }
    };
    let owner_a = join("org-a", "owner-a@example.com").await;
    let owner_b = join("org-b", "owner-b@example.com").await;
    // A plain member of A: owner invitation, then demoted directly in the database (the
    // admin portal that changes roles comes later).
    let member_a = join("org-a", "member-a@example.com").await;
    let admin_a = join("org-a", "admin-a@example.com").await;
    app.exec("UPDATE memberships SET role = 'member' WHERE user_id = (SELECT id FROM users WHERE email = 'member-a@example.com')").await;
    app.exec("UPDATE memberships SET role = 'admin' WHERE user_id = (SELECT id FROM users WHERE email = 'admin-a@example.com')").await;
    let anonymous = app.other_browser();

    let before = snapshot(&app).await;
    for (method, path) in ORG_ROUTES {
        assert_eq!(
            call(&owner_a, method, path).await,
            StatusCode::OK,
            "owner of A, {path}"
        );
        assert_eq!(
            call(&admin_a, method, path).await,
            StatusCode::OK,
            "admin of A, {path}"
        );
        let member_status = call(&member_a, method, path).await;
        let expected = if path.ends_with("/members") {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(member_status, expected, "member of A, {path}");
        assert_eq!(
            call(&owner_b, method, path).await,
            StatusCode::NOT_FOUND,
            "owner of B, {path}"
        );
        assert_eq!(
            call(&app, method, path).await,
            StatusCode::NOT_FOUND,
            "operator, {path}"
        );
        assert_eq!(
            call(&anonymous, method, path).await,
            StatusCode::SEE_OTHER,
            "anonymous, {path}"
        );
        // A slug that does not exist looks the same as one that does.
        let missing = path.replace("/o/org-a", "/o/org-zz");
        assert_eq!(
            call(&owner_b, method, &missing).await,
            StatusCode::NOT_FOUND
        );
    }
    for (method, path) in ADMIN_ROUTES {
        for (who, name) in [
            (&owner_a, "owner of A"),
            (&admin_a, "admin of A"),
            (&member_a, "member of A"),
            (&owner_b, "owner of B"),
        ] {
            assert_eq!(
                call(who, method, path).await,
                StatusCode::NOT_FOUND,
                "{name}, {method} {path}"
            );
        }
        assert_eq!(
            call(&anonymous, method, path).await,
            StatusCode::SEE_OTHER,
            "anonymous, {path}"
        );
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "a refused request wrote something"
    );
    // The operator does get in.
    for (method, path) in ADMIN_ROUTES.iter().filter(|(m, _)| *m == "GET") {
        assert_eq!(
            call(&app, method, path).await,
            StatusCode::OK,
            "operator, {path}"
        );
    }
}

/// Who may use a portal route.
#[derive(Clone, Copy, PartialEq)]
enum Needs {
    Member,
    Admin,
    Owner,
}

/// The admin portal's routes of organization `a` (`{member}`, `{invitation}` and `{domain}`
/// are filled in with ids of organization `a`'s).
const PORTAL_ROUTES: &[(&str, &str, Needs)] = &[
    ("GET", "/o/org-a/admin", Needs::Admin),
    ("GET", "/o/org-a/admin/members", Needs::Admin),
    ("POST", "/o/org-a/admin/members/{member}/role", Needs::Admin),
    (
        "POST",
        "/o/org-a/admin/members/{member}/remove",
        Needs::Admin,
    ),
    ("GET", "/o/org-a/admin/invitations", Needs::Admin),
    ("POST", "/o/org-a/admin/invitations", Needs::Admin),
    ("POST", "/o/org-a/admin/invitations/upload", Needs::Admin),
    (
        "POST",
        "/o/org-a/admin/invitations/{invitation}/resend",
        Needs::Admin,
    ),
    (
        "POST",
        "/o/org-a/admin/invitations/{invitation}/revoke",
        Needs::Admin,
    ),
    ("GET", "/o/org-a/admin/branding", Needs::Admin),
    ("POST", "/o/org-a/admin/branding", Needs::Admin),
    ("GET", "/o/org-a/admin/branding/preview.css", Needs::Admin),
    ("GET", "/o/org-a/admin/audit", Needs::Admin),
    ("GET", "/o/org-a/admin/audit.csv", Needs::Admin),
    ("GET", "/o/org-a/admin/domains", Needs::Admin),
    ("POST", "/o/org-a/admin/domains", Needs::Admin),
    (
        "POST",
        "/o/org-a/admin/domains/{domain}/verify",
        Needs::Admin,
    ),
    (
        "POST",
        "/o/org-a/admin/domains/{domain}/remove",
        Needs::Admin,
    ),
    ("GET", "/o/org-a/admin/settings", Needs::Owner),
    ("POST", "/o/org-a/admin/settings", Needs::Owner),
    ("POST", "/o/org-a/leave", Needs::Member),
];

#[tokio::test]
async fn the_admin_portal_admits_only_the_roles_each_route_needs() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Org A", "org-a", "shared", false).await;
    app.create_org("Org B", "org-b", "shared", false).await;
    let join = |org: &'static str, email: &'static str| {
        let app = &app;
        async move {
            app.invite_owner(org, email).await;
            let who = app.other_browser();
            who.accept_invitation_as_new(email, "Person", PASSWORD)
                .await;
            who
        }
    };
    let owner_a = join("org-a", "owner-a@example.com").await;
    let owner_b = join("org-b", "owner-b@example.com").await;
    let member_a = join("org-a", "member-a@example.com").await;
    let admin_a = join("org-a", "admin-a@example.com").await;
    app.exec("UPDATE memberships SET role = 'member' WHERE user_id = (SELECT id FROM users WHERE email = 'member-a@example.com')").await;
    app.exec("UPDATE memberships SET role = 'admin' WHERE user_id = (SELECT id FROM users WHERE email = 'admin-a@example.com')").await;
    app.invite_owner("org-a", "pending-a@example.com").await;
    let anonymous = app.other_browser();
    let id = |sql: &'static str| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, String>(sql)
                .fetch_one(app.store.pool())
                .await
                .unwrap()
        }
    };
    let member = id("SELECT id FROM users WHERE email = 'member-a@example.com'").await;
    let invitation = id("SELECT id FROM invitations WHERE email = 'pending-a@example.com'").await;
    app.exec(
        "INSERT INTO domains (id, organization_id, name, verification_token, created_at)
         SELECT 'domain-of-a', id, 'org-a.example', 'token', 1 FROM organizations WHERE slug = 'org-a'",
    )
    .await;
    let fill = |path: &str| {
        path.replace("{member}", &member)
            .replace("{invitation}", &invitation)
            .replace("{domain}", "domain-of-a")
    };

    let before = snapshot(&app).await;
    for (method, path, needs) in PORTAL_ROUTES {
        let path = fill(path);
        let callers = [
            (&member_a, "member of A", *needs == Needs::Member),
            (&admin_a, "admin of A", *needs != Needs::Owner),
            (&owner_b, "owner of B", false),
            (&app, "operator", false),
        ];
        for (who, name, allowed) in callers {
            if !allowed {
                assert_eq!(
                    call(who, method, &path).await,
                    StatusCode::NOT_FOUND,
                    "{name}, {method} {path}"
                );
            }
        }
        assert_eq!(
            call(&anonymous, method, &path).await,
            StatusCode::SEE_OTHER,
            "anonymous, {method} {path}"
        );
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "a refused request wrote something"
    );
    // Those who may, get in (the reading routes; the writing ones have tests of their own).
    for (method, path, needs) in PORTAL_ROUTES.iter().filter(|(m, _, _)| *m == "GET") {
        let expected = |allowed: bool| match (allowed, path.ends_with("/admin")) {
            (false, _) => StatusCode::NOT_FOUND,
            (true, true) => StatusCode::SEE_OTHER,
            (true, false) => StatusCode::OK,
        };
        assert_eq!(
            call(&owner_a, method, path).await,
            expected(true),
            "owner, {path}"
        );
        let admin_may = *needs != Needs::Owner;
        assert_eq!(
            call(&admin_a, method, path).await,
            expected(admin_may),
            "admin, {path}"
        );
    }
}
