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
