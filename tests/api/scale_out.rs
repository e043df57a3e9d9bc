//! Two instances on one database behave as one deployment.
use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, eventually, location, read_mail_dir, spawn_app, spawn_on};

#[tokio::test]
async fn a_session_started_on_one_instance_is_valid_on_the_other() {
    let a = spawn_app().await;
    // Made before the second instance starts: its worker could deliver the verification
    // mail to its own outbox, where `a` would not find it.
    a.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let b = spawn_on(a.db(), |_| {}).await;
    let res = a.sign_in("ada@example.com", PASSWORD).await;
    let cookie = crate::helpers::set_cookie(&res, "usher_session").unwrap();
    let session = cookie.split(';').next().unwrap();
    assert_eq!(
        b.get_with_cookie("/account", session).await.status(),
        StatusCode::OK
    );

    // Signing out on A ends it on B.
    a.sign_out().await;
    assert_eq!(
        location(&b.get_with_cookie("/account", session).await),
        "/login"
    );
}

#[tokio::test]
async fn each_queued_mail_is_sent_exactly_once_across_instances() {
    let a = spawn_app().await;
    let b = spawn_on(a.db(), |_| {}).await;
    let total = 20;
    for i in 0..total {
        let app = if i % 2 == 0 { &a } else { &b };
        app.post(
            "/forgot-password",
            &[("email", &format!("user{i}@example.com"))],
        )
        .await;
        // Posted, not `sign_up`: that waits for the mail in this instance's outbox, and the
        // other instance's worker may be the one that delivers it.
        let email = format!("user{i}@example.com");
        let res = app
            .post(
                "/signup",
                &[
                    ("name", "Someone"),
                    ("email", &email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), reqwest::StatusCode::OK);
    }
    let expected = total; // one verification per new account; resets for unknown emails send nothing
    let mails = eventually(Duration::from_secs(20), "every mail delivered", || async {
        let mut all = read_mail_dir(&a.mail_dir());
        all.extend(read_mail_dir(&b.mail_dir()));
        (all.len() >= expected).then_some(all)
    })
    .await;
    assert_eq!(mails.len(), expected, "a mail was sent twice");
    let recipients: HashSet<_> = mails.iter().map(|m| m.to.clone()).collect();
    assert_eq!(recipients.len(), expected);
    // Every row ends up marked sent (a row can trail its file by a moment).
    eventually(
        Duration::from_secs(10),
        "every outbox row marked sent",
        || async {
            let unsent: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                    .fetch_one(a.store.pool())
                    .await
                    .unwrap();
            (unsent == 0).then_some(())
        },
    )
    .await;
    assert_eq!(
        read_mail_dir(&a.mail_dir()).len() + read_mail_dir(&b.mail_dir()).len(),
        expected
    );
}

#[tokio::test]
async fn throttles_count_across_instances() {
    let a = spawn_app().await;
    // Made before the second instance starts: its worker could deliver the verification
    // mail to its own outbox, where `a` would not find it.
    a.create_verified_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    let b = spawn_on(a.db(), |_| {}).await;
    a.sign_out().await;
    for i in 0..5 {
        let app = if i % 2 == 0 { &a } else { &b };
        assert_eq!(
            app.sign_in("ada@example.com", "attacker guess 12345")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        a.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        b.sign_in("ada@example.com", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn the_per_ip_limit_counts_across_instances() {
    let a = spawn_app_limited().await;
    let b = spawn_on(a.db(), |s| s.auth_rate_limit = 4).await;
    for i in 0..4 {
        let app = if i % 2 == 0 { &a } else { &b };
        assert_eq!(
            app.post("/forgot-password", &[("email", "x@example.com")])
                .await
                .status(),
            StatusCode::OK
        );
    }
    let res = b
        .post("/forgot-password", &[("email", "x@example.com")])
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn spawn_app_limited() -> crate::helpers::TestApp {
    crate::helpers::spawn_app_with(|s| s.auth_rate_limit = 4).await
}
