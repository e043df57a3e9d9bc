//! Delivery through a real SMTP server (Python's aiosmtpd), including an outage.
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, eventually, parse_eml, spawn_app_with};

/// An SMTP server writing a Maildir; stopped when dropped.
struct SmtpSink(Child);

impl SmtpSink {
    fn start(port: u16, maildir: &Path) -> Self {
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 -m aiosmtpd could not start: install it with `pip install aiosmtpd`");
        Self(child)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn delivered(maildir: &Path) -> Vec<String> {
    std::fs::read_dir(maildir.join("new"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn mail_queued_during_an_smtp_outage_is_delivered_once_the_server_is_back() {
    let port = free_port();
    let app =
        spawn_app_with(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into())).await;

    // The request does not wait for SMTP: it answers while the server is down.
    let res = app
        .sign_up("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    eventually(
        Duration::from_secs(10),
        "a failed delivery attempt",
        || async {
            let row: Option<(i64, Option<String>)> =
                sqlx::query_as("SELECT attempts, last_error FROM outbox WHERE sent_at IS NULL")
                    .fetch_optional(app.store.pool())
                    .await
                    .unwrap();
            row.filter(|(attempts, error)| *attempts >= 1 && error.is_some())
        },
    )
    .await;
    assert_eq!(
        app.get("/dev/mail").await.status(),
        StatusCode::NOT_FOUND,
        "no dev outbox with SMTP"
    );

    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("maildir"); // aiosmtpd creates it with its subfolders
    let _sink = SmtpSink::start(port, &maildir);
    let raw = eventually(
        Duration::from_secs(30),
        "delivery after the outage",
        || async { delivered(&maildir).into_iter().next() },
    )
    .await;
    let mail = parse_eml(&raw);
    assert_eq!(mail.to, "ada@example.com");
    assert!(mail.subject.contains("Verify your email"));
    assert!(mail.link_to("/verify-email").starts_with(&app.address));

    // The row is marked sent right after the server accepted the message.
    eventually(
        Duration::from_secs(10),
        "the outbox row marked sent",
        || async {
            let sent: Option<i64> = sqlx::query_scalar("SELECT sent_at FROM outbox")
                .fetch_one(app.store.pool())
                .await
                .unwrap();
            sent
        },
    )
    .await;
    assert_eq!(delivered(&maildir).len(), 1, "delivered exactly once");
    // Delivered mail holds single-use links: the database keeps no copy of the bodies.
    let (text, html): (String, String) = sqlx::query_as("SELECT text_body, html_body FROM outbox")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(text.is_empty() && html.is_empty());
}

#[tokio::test]
async fn a_message_the_server_keeps_refusing_is_given_up_in_the_end() {
    let port = free_port();
    let app =
        spawn_app_with(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into())).await;
    app.sign_up("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    // As if it had failed for a day and a half already.
    app.exec("UPDATE outbox SET attempts = 199, next_attempt_at = 0")
        .await;
    let error = eventually(Duration::from_secs(10), "the message given up", || async {
        let error: Option<String> = sqlx::query_scalar("SELECT last_error FROM outbox")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        error.filter(|e| e.starts_with("given up"))
    })
    .await;
    assert!(
        error.contains("Connection refused") || error.contains("onnection"),
        "{error}"
    );
    let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM outbox")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 200, "not claimed again");
}
