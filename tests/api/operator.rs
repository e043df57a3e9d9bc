use reqwest::StatusCode;

use crate::helpers::{PASSWORD, location, spawn_app};

#[tokio::test]
async fn the_one_time_link_creates_the_first_operator_and_then_stops_working() {
    let app = spawn_app().await;
    let link = app
        .operator_setup_link
        .clone()
        .expect("a fresh deployment prints a setup link");
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let page = app.get(&format!("/setup/operator?token={token}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");

    let weak = app
        .post(
            "/setup/operator",
            &[
                ("token", &token),
                ("name", "Olga Operator"),
                ("email", "olga@example.com"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let res = app
        .post(
            "/setup/operator",
            &[
                ("token", &token),
                ("name", "Olga Operator"),
                ("email", "olga@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin");
    let admin = app.get("/admin").await;
    assert_eq!(admin.status(), StatusCode::OK);
    assert!(admin.text().await.unwrap().contains("Operator portal"));

    // Used: the link is dead, and a second visitor cannot become operator.
    let intruder = app.other_browser();
    assert_eq!(
        intruder
            .get(&format!("/setup/operator?token={token}"))
            .await
            .status(),
        StatusCode::GONE
    );
    let res = intruder
        .post(
            "/setup/operator",
            &[
                ("token", &token),
                ("name", "Mallory"),
                ("email", "mallory@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::GONE);
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn a_restart_after_setup_prints_no_link() {
    let app = spawn_app().await;
    let token = app
        .operator_setup_link
        .clone()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    app.post(
        "/setup/operator",
        &[
            ("token", &token),
            ("name", "Olga"),
            ("email", "olga@example.com"),
            ("password", PASSWORD),
        ],
    )
    .await;
    let restarted = crate::helpers::spawn_on(app.db(), |_| {}).await;
    assert!(restarted.operator_setup_link.is_none());
}

#[tokio::test]
async fn only_operators_can_open_the_admin_portal() {
    let app = spawn_app().await;
    assert_eq!(location(&app.get("/admin").await), "/login");
    app.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let res = app.get("/admin").await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "its existence is not revealed"
    );
}

#[tokio::test]
async fn the_portal_home_counts_the_deployment_and_reports_mail_trouble() {
    let app = spawn_app().await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", false).await;
    app.create_org("Globex", "globex", "shared", false).await;
    app.invite_owner("acme", "owner@acme.test").await;
    let home = app.get_html("/admin").await;
    assert!(home.contains("<dt>Organizations</dt><dd>2</dd>"), "{home}");
    assert!(home.contains("<dt>Users</dt><dd>1</dd>"));
    assert!(home.contains("<dt>Pending invitations</dt><dd>1</dd>"));
    assert!(home.contains("No delivery problems."));

    // A message waiting for its first attempt, one retrying after an error, one given up.
    let later = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    for (id, next_attempt, error) in [
        ("m-waiting", later, None),
        ("m-failing", later, Some("421 mail.example.test busy")),
        ("m-given-up", i64::MAX, Some("given up: 550 no such user")),
    ] {
        sqlx::query(
            "INSERT INTO outbox (id, recipient, subject, text_body, html_body, attempts,
                                 next_attempt_at, last_error, created_at)
             VALUES ($1, 'x@example.test', 's', 't', 'h', 1, $2, $3, 0)",
        )
        .bind(id)
        .bind(next_attempt)
        .bind(error)
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let home = app.get_html("/admin").await;
    assert!(home.contains("<dt>Failing</dt><dd>1</dd>"), "{home}");
    assert!(home.contains("<dt>Given up</dt><dd>1</dd>"));
    assert!(home.contains("Last delivery error: <code>421 mail.example.test busy</code>"));
    let queued: i64 = home
        .split("<dt>Queued</dt><dd>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        queued >= 2,
        "the waiting and the failing message, and maybe the invitation"
    );
}
