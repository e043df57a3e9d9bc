//! The keys Usher signs tokens with: made at first start, sealed in the database, published at
//! /oauth/jwks, rotated with `usher keys rotate` (published ahead, withdrawn after).
use std::time::Duration;

use openidconnect::core::{CoreJsonWebKey, CoreJwsSigningAlgorithm};
use openidconnect::{JsonWebKey, PrivateSigningKey};
use usher::services::signing_keys;

use crate::helpers::{TestApp, TestDb, eventually, spawn_app, test_sealer, test_settings};

/// The JWKS once the first key is there (it is made in the background at start).
async fn jwks(app: &TestApp) -> Vec<serde_json::Value> {
    let body: serde_json::Value = app.get("/oauth/jwks").await.json().await.unwrap();
    body["keys"].as_array().unwrap().clone()
}

async fn first_jwks(app: &TestApp) -> Vec<serde_json::Value> {
    eventually(Duration::from_secs(30), "the first signing key", || async {
        let keys = jwks(app).await;
        (!keys.is_empty()).then_some(keys)
    })
    .await
}

async fn kid_signing_now(app: &TestApp) -> String {
    let signer = signing_keys::signer(&app.store, &test_sealer())
        .await
        .unwrap();
    signer.as_verification_key().key_id().unwrap().to_string()
}

#[tokio::test]
async fn the_first_key_is_published_without_its_private_part() {
    let app = spawn_app().await;
    let keys = first_jwks(&app).await;
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["alg"], "RS256");
    assert!(key["kid"].as_str().is_some_and(|kid| !kid.is_empty()));
    assert!(key["n"].is_string() && key["e"].is_string());
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(key.get(private).is_none(), "{private} is private");
    }
    let res = app.get("/oauth/jwks").await;
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");

    // At rest the private key is sealed, not PEM.
    let stored: String = sqlx::query_scalar("SELECT private_key FROM signing_keys")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(stored.starts_with("v1.") && !stored.contains("PRIVATE KEY"));
}

#[tokio::test]
async fn what_the_signing_key_signs_verifies_with_the_published_key() {
    let app = spawn_app().await;
    let published: CoreJsonWebKey =
        serde_json::from_value(first_jwks(&app).await[0].clone()).unwrap();
    let signer = signing_keys::signer(&app.store, &test_sealer())
        .await
        .unwrap();
    let alg = CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256;
    let signature = signer.sign(&alg, b"header.payload").unwrap();
    assert!(
        published
            .verify_signature(&alg, b"header.payload", &signature)
            .is_ok()
    );
    assert!(
        published
            .verify_signature(&alg, b"header.other", &signature)
            .is_err()
    );
}

#[tokio::test]
async fn a_rotated_key_is_published_before_it_signs_and_the_old_one_after_it_stops() {
    let app = spawn_app().await;
    let first = first_jwks(&app).await[0]["kid"]
        .as_str()
        .unwrap()
        .to_owned();

    let out = app.run_cli(&["keys", "rotate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let second = printed["kid"].as_str().unwrap().to_owned();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signs_from = printed["signs_from"].as_i64().unwrap();
    assert!(
        (now + 3590..=now + 3610).contains(&signs_from),
        "an hour ahead"
    );

    let kids: Vec<String> = jwks(&app)
        .await
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kids,
        [second.clone(), first.clone()],
        "both published, newest first"
    );
    assert_eq!(
        kid_signing_now(&app).await,
        first,
        "the old key signs until the new one's hour"
    );

    app.exec("UPDATE signing_keys SET signs_from = 0 WHERE generation = 2")
        .await;
    assert_eq!(kid_signing_now(&app).await, second);
    let withdrawn: i64 =
        sqlx::query_scalar("SELECT published_until FROM signing_keys WHERE generation = 1")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        withdrawn,
        signs_from + 24 * 3600,
        "published a day past its last signature"
    );

    app.exec("UPDATE signing_keys SET published_until = 1 WHERE generation = 1")
        .await;
    let kids: Vec<String> = jwks(&app)
        .await
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kids, [second]);
}

#[tokio::test]
async fn two_instances_starting_together_make_one_first_key() {
    let db = TestDb::create().await;
    let dir = tempfile::tempdir().unwrap();
    let store = usher::store::Store::connect(&test_settings(dir.path(), &db))
        .await
        .unwrap();
    let sealer = test_sealer();
    let (a, b) = tokio::join!(
        signing_keys::ensure_first(&store, &sealer),
        signing_keys::ensure_first(&store, &sealer)
    );
    a.unwrap();
    b.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn only_registered_applications_origins_may_read_the_jwks_from_script() {
    let app = spawn_app().await;
    let out = app.run_cli(&[
        "apps",
        "create",
        "--name",
        "SPA",
        "--public",
        "--redirect-uri",
        "https://spa.example.test/callback",
    ]);
    assert!(out.status.success());
    let from = |origin: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/oauth/jwks"))
                .header("Origin", origin)
                .send()
                .await
                .unwrap()
        }
    };
    let res = from("https://spa.example.test").await;
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://spa.example.test"
    );
    assert!(res.headers()["vary"].to_str().unwrap().contains("Origin"));
    let res = from("https://evil.example.test").await;
    assert!(res.headers().get("access-control-allow-origin").is_none());

    let preflight = |origin: &'static str| {
        let app = &app;
        async move {
            app.client
                .request(reqwest::Method::OPTIONS, app.url("/oauth/jwks"))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "GET")
                .send()
                .await
                .unwrap()
        }
    };
    let res = preflight("https://spa.example.test").await;
    assert_eq!(res.status(), reqwest::StatusCode::NO_CONTENT);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://spa.example.test"
    );
    let res = preflight("https://evil.example.test").await;
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_scheduled_rotation_adds_a_key_once_the_newest_has_signed_long_enough() {
    let app = spawn_app().await;
    first_jwks(&app).await;
    let ninety_days = usher::worker::key_rotation::ROTATE_AFTER_SECS;
    let sealer = test_sealer();
    let rotate = || signing_keys::rotate_when_older(&app.store, &sealer, ninety_days);
    assert!(rotate().await.unwrap().is_none(), "a fresh key is kept");
    app.exec(&format!(
        "UPDATE signing_keys SET signs_from = signs_from - {ninety_days}"
    ))
    .await;
    // The app's own job runner may rotate first; either way, one new key.
    rotate().await.unwrap();
    assert!(rotate().await.unwrap().is_none(), "once");
    let published: Vec<String> = jwks(&app)
        .await
        .iter()
        .map(|key| key["kid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(published.len(), 2, "the new key ahead, the old one still");
}
