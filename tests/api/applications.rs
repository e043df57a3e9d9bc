//! Registering the product's applications: `usher apps create` beside a running server, and
//! the operator's pages at /admin/apps. A secret is shown once and kept as a hash.
use std::process::Output;

use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use usher::services::applications;

use crate::helpers::{TestApp, spawn_app};

/// Runs `usher apps create ARGS` beside the test app.
async fn apps_create(app: &TestApp, args: &[&str]) -> Output {
    app.run_cli(&[&["apps", "create"], args].concat()).await
}

fn url_safe(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
}

fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn stored_secret_hashes(app: &TestApp, client_id: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT s.secret_hash FROM client_secrets s JOIN applications a ON a.id = s.application_id
         WHERE a.client_id = $1",
    )
    .bind(client_id.to_owned())
    .fetch_all(app.store.pool())
    .await
    .unwrap()
}

/// The text of `<code>` right after `<dt>{term}</dt><dd>`.
fn code_after(html: &str, term: &str) -> Option<String> {
    let start = format!("<dt>{term}</dt><dd><code>");
    let rest = html.split(&start).nth(1)?;
    Some(rest.split("</code>").next()?.to_owned())
}

#[tokio::test]
async fn the_cli_registers_a_confidential_app_and_prints_its_secret_once() {
    let app = spawn_app().await;
    let out = apps_create(
        &app,
        &[
            "--name",
            "Shop",
            "--redirect-uri",
            "https://shop.example.test/callback",
            "--redirect-uri",
            "http://127.0.0.1:3000/callback",
            "--post-logout-redirect-uri",
            "https://shop.example.test/",
            "--organizations",
            "required",
            "--signing-alg",
            "ES256",
            "--backchannel-logout-uri",
            "https://shop.example.test/backchannel-logout",
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let client_id = printed["client_id"].as_str().unwrap();
    let secret = printed["client_secret"].as_str().unwrap();
    assert!(url_safe(client_id) && url_safe(secret));
    assert!(secret.len() >= 43, "at least 256 bits");
    // Only the SHA-256 of the secret is stored.
    assert_eq!(
        stored_secret_hashes(&app, client_id).await,
        vec![sha256_hex(secret)]
    );

    // The running server sees it at once; its page shows the id, never the secret.
    app.become_operator().await;
    let page = app.get_html(&format!("/admin/apps/{client_id}")).await;
    assert_eq!(code_after(&page, "Client ID").as_deref(), Some(client_id));
    assert!(!page.contains(secret));
    assert!(page.contains("https://shop.example.test/callback"));
    assert!(page.contains("Required: people always sign in"));
    assert!(page.contains("ES256 (ECDSA P-256)"));
    assert!(page.contains("<code>https://shop.example.test/backchannel-logout</code>"));
    let list = app.get_html("/admin/apps").await;
    assert!(list.contains("Shop") && list.contains(client_id));
}

#[tokio::test]
async fn a_public_app_gets_no_secret_and_bad_arguments_write_nothing() {
    let app = spawn_app().await;
    let out = apps_create(
        &app,
        &[
            "--name",
            "Mobile",
            "--public",
            "--redirect-uri",
            "http://127.0.0.1/cb",
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(printed.get("client_secret").is_none(), "{printed}");
    let client_id = printed["client_id"].as_str().unwrap();
    assert!(stored_secret_hashes(&app, client_id).await.is_empty());

    for (args, says) in [
        (
            vec![
                "--name",
                "Web",
                "--redirect-uri",
                "http://shop.example.test/cb",
            ],
            "https",
        ),
        (
            vec![
                "--name",
                "Web",
                "--redirect-uri",
                "https://shop.example.test/cb#top",
            ],
            "fragment",
        ),
        (
            vec![
                "--name",
                " ",
                "--redirect-uri",
                "https://shop.example.test/cb",
            ],
            "--name",
        ),
        (vec!["--name", "Web"], "--redirect-uri"),
        (
            vec![
                "--name",
                "Web",
                "--redirect-uri",
                "https://a.test/cb",
                "--organizations",
                "some",
            ],
            "--organizations",
        ),
        (
            vec![
                "--name",
                "Web",
                "--redirect-uri",
                "https://a.test/cb",
                "--signing-alg",
                "none",
            ],
            "--signing-alg",
        ),
        (
            vec![
                "--name",
                "Web",
                "--redirect-uri",
                "https://a.test/cb",
                "--default",
            ],
            "--initiate-login-uri",
        ),
    ] {
        let out = apps_create(&app, &args).await;
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert_eq!(app.count("applications").await, 1, "only the public app");
}

#[tokio::test]
async fn the_operator_registers_an_app_in_the_portal_and_sees_its_secret_once() {
    let app = spawn_app().await;
    app.become_operator().await;
    let form = [
        ("name", "Dashboard"),
        ("kind", "confidential"),
        ("organizations", "optional"),
        (
            "redirect_uris",
            "https://dash.example.test/cb\r\nhttps://dash.example.test/cb2\r\n",
        ),
        ("post_logout_redirect_uris", ""),
        ("initiate_login_uri", "https://dash.example.test/login"),
        ("backchannel_logout_uri", "https://dash.example.test/bcl"),
        ("signing_algorithm", "ES256"),
        ("deployment_default", "on"),
    ];
    let res = app.post("/admin/apps/new", &form).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    let client_id = code_after(&html, "Client ID").unwrap();
    let secret = code_after(&html, "Client secret").unwrap();
    assert!(url_safe(&client_id) && url_safe(&secret));
    assert_eq!(
        stored_secret_hashes(&app, &client_id).await,
        vec![sha256_hex(&secret)]
    );
    let later = app.get_html(&format!("/admin/apps/{client_id}")).await;
    assert!(code_after(&later, "Client secret").is_none(), "shown once");
    assert!(later.contains("https://dash.example.test/cb2"));
    assert!(later.contains("<code>https://dash.example.test/bcl</code>"));
    assert!(later.contains("ES256 (ECDSA P-256)"));
    assert!(later.contains("Yes: people land here"));

    // A second default replaces the first.
    let second = [
        ("name", "Console"),
        ("kind", "public"),
        ("organizations", "none"),
        ("redirect_uris", "https://console.example.test/cb"),
        ("initiate_login_uri", "https://console.example.test/login"),
        ("deployment_default", "on"),
    ];
    assert_eq!(
        app.post("/admin/apps/new", &second).await.status(),
        StatusCode::CREATED
    );
    let defaults: Vec<String> =
        sqlx::query_scalar("SELECT name FROM applications WHERE deployment_default = 1")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(defaults, ["Console"]);

    let audit = app.get_html("/admin/audit").await;
    assert!(audit.contains("application.created"));
}

#[tokio::test]
async fn a_bad_registration_is_explained_and_writes_nothing() {
    let app = spawn_app().await;
    app.become_operator().await;
    let res = app
        .post(
            "/admin/apps/new",
            &[
                ("name", ""),
                ("kind", "wizard"),
                ("organizations", "optional"),
                ("redirect_uris", "http://evil.example.test/cb"),
                ("initiate_login_uri", "not a uri"),
                ("backchannel_logout_uri", "http://evil.example.test/bcl"),
                ("signing_algorithm", "HS256"),
                ("deployment_default", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    for message in [
        "Enter the application&#39;s name.",
        "Choose what kind of application it is.",
        "Use https; plain http is allowed on 127.0.0.1",
        "Enter a whole address",
        "Choose how its tokens are signed.",
    ] {
        assert!(html.contains(message), "{message}: {html}");
    }
    assert!(
        html.contains("http://evil.example.test/cb"),
        "the form is refilled"
    );
    assert_eq!(app.count("applications").await, 0);
    assert_eq!(app.count("audit_events").await, 0);
}

#[tokio::test]
async fn a_replaced_secret_keeps_working_for_its_grace_period_only() {
    let app = spawn_app().await;
    app.become_operator().await;
    let out = apps_create(
        &app,
        &[
            "--name",
            "Shop",
            "--redirect-uri",
            "https://shop.example.test/cb",
        ],
    )
    .await;
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let client_id = printed["client_id"].as_str().unwrap().to_owned();
    let old = printed["client_secret"].as_str().unwrap().to_owned();

    let res = app
        .post(&format!("/admin/apps/{client_id}/secret"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let new = code_after(&html, "Client secret").unwrap();
    assert_ne!(new, old);
    assert!(html.contains("keeps working for 24 hours"));

    let registered = applications::find(&app.store, &client_id).await.unwrap();
    let valid = |secret: String| {
        let (store, registered) = (app.store.clone(), registered.clone());
        async move {
            applications::secret_is_valid(&store, &registered, &secret)
                .await
                .unwrap()
        }
    };
    assert!(
        valid(old.clone()).await,
        "the old secret during its grace period"
    );
    assert!(valid(new.clone()).await);
    assert!(!valid("a guess".into()).await);

    app.exec("UPDATE client_secrets SET expires_at = 1 WHERE expires_at IS NOT NULL")
        .await;
    assert!(!valid(old).await, "the old secret after its grace period");
    assert!(valid(new).await);
}

#[tokio::test]
async fn a_public_app_has_no_secret_to_replace() {
    let app = spawn_app().await;
    app.become_operator().await;
    let out = apps_create(
        &app,
        &[
            "--name",
            "SPA",
            "--public",
            "--redirect-uri",
            "https://spa.example.test/cb",
        ],
    )
    .await;
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let client_id = printed["client_id"].as_str().unwrap();
    let page = app.get_html(&format!("/admin/apps/{client_id}")).await;
    assert!(!page.contains("Replace the secret"));
    let res = app
        .post(&format!("/admin/apps/{client_id}/secret"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("client_secrets").await, 0);
}
