//! The keys Usher signs tokens with: made at first start, sealed in the database, published at
//! /oauth/jwks, rotated with `usher keys rotate` (published ahead, withdrawn after).
use std::time::Duration;

use openidconnect::core::{CoreJsonWebKey, CoreJwsSigningAlgorithm};
use openidconnect::{JsonWebKey, PrivateSigningKey};
use usher::domain::signing_key::SigningAlgorithm;
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

async fn kid_signing_now(app: &TestApp, algorithm: SigningAlgorithm) -> String {
    let signer = signing_keys::signer(&app.store, &test_sealer(), algorithm)
        .await
        .unwrap();
    signer.as_verification_key().key_id().unwrap().to_string()
}

fn with_alg<'a>(keys: &'a [serde_json::Value], alg: &str) -> &'a serde_json::Value {
    keys.iter()
        .find(|key| key["alg"] == alg)
        .unwrap_or_else(|| panic!("no {alg} key in {keys:?}"))
}

/// The kids of `keys`, per generation as the CLI printed them.
fn kids(keys: &[serde_json::Value]) -> Vec<String> {
    let mut kids: Vec<String> = keys
        .iter()
        .map(|key| key["kid"].as_str().unwrap().to_owned())
        .collect();
    kids.sort();
    kids
}

#[tokio::test]
async fn the_first_keys_are_published_without_their_private_parts() {
    let app = spawn_app().await;
    let keys = first_jwks(&app).await;
    assert_eq!(keys.len(), 2, "an RS256 key and an ES256 key");
    let rsa = with_alg(&keys, "RS256");
    assert_eq!(rsa["kty"], "RSA");
    assert!(rsa["n"].is_string() && rsa["e"].is_string());
    let ec = with_alg(&keys, "ES256");
    assert_eq!(ec["kty"], "EC");
    assert_eq!(ec["crv"], "P-256");
    assert!(ec["x"].is_string() && ec["y"].is_string());
    for key in [rsa, ec] {
        assert_eq!(key["use"], "sig");
        assert!(key["kid"].as_str().is_some_and(|kid| !kid.is_empty()));
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(key.get(private).is_none(), "{private} is private");
        }
    }
    assert_ne!(rsa["kid"], ec["kid"]);
    let res = app.get("/oauth/jwks").await;
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");

    // At rest the private keys are sealed, not PEM.
    let stored: Vec<String> = sqlx::query_scalar("SELECT private_key FROM signing_keys")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    for key in stored {
        assert!(key.starts_with("v1.") && !key.contains("PRIVATE KEY"));
    }
}

#[tokio::test]
async fn what_each_signing_key_signs_verifies_with_its_published_key() {
    let app = spawn_app().await;
    let keys = first_jwks(&app).await;
    for (algorithm, alg) in [
        (
            SigningAlgorithm::Rs256,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        ),
        (
            SigningAlgorithm::Es256,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        ),
    ] {
        let published: CoreJsonWebKey =
            serde_json::from_value(with_alg(&keys, algorithm.as_str()).clone()).unwrap();
        let signer = signing_keys::signer(&app.store, &test_sealer(), algorithm)
            .await
            .unwrap();
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
}

#[tokio::test]
async fn a_rotated_key_is_published_before_it_signs_and_the_old_one_after_it_stops() {
    let app = spawn_app().await;
    let first = first_jwks(&app).await;

    let out = app.run_cli(&["keys", "rotate"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed.len(), 2, "a new key of each algorithm");
    let second = kids(&printed);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signs_from = printed[0]["signs_from"].as_i64().unwrap();
    assert!(
        (now + 3590..=now + 3610).contains(&signs_from),
        "an hour ahead"
    );

    let published = jwks(&app).await;
    assert_eq!(published.len(), 4, "both generations published");
    assert_eq!(kids(&published[..2]), second, "newest first");
    assert_eq!(kids(&published[2..]), kids(&first));
    for algorithm in SigningAlgorithm::ALL {
        let old = with_alg(&first, algorithm.as_str())["kid"].clone();
        let new = with_alg(&printed, algorithm.as_str())["kid"].clone();
        assert_eq!(
            kid_signing_now(&app, algorithm).await,
            old.as_str().unwrap(),
            "the old key signs until the new one's hour"
        );
        app.exec("UPDATE signing_keys SET signs_from = 0 WHERE generation = 2")
            .await;
        assert_eq!(
            kid_signing_now(&app, algorithm).await,
            new.as_str().unwrap()
        );
        app.exec(&format!(
            "UPDATE signing_keys SET signs_from = {signs_from} WHERE generation = 2"
        ))
        .await;
    }
    let withdrawn: Vec<i64> =
        sqlx::query_scalar("SELECT published_until FROM signing_keys WHERE generation = 1")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        withdrawn,
        [signs_from + 24 * 3600; 2],
        "published a day past their last signature"
    );

    app.exec("UPDATE signing_keys SET published_until = 1 WHERE generation = 1")
        .await;
    assert_eq!(kids(&jwks(&app).await), second);
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
    assert_eq!(count, 2, "one of each algorithm");
}

#[tokio::test]
async fn only_registered_applications_origins_may_read_the_jwks_from_script() {
    let app = spawn_app().await;
    let out = app
        .run_cli(&[
            "apps",
            "create",
            "--name",
            "SPA",
            "--public",
            "--redirect-uri",
            "https://spa.example.test/callback",
        ])
        .await;
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
    assert_eq!(published.len(), 4, "the new keys ahead, the old ones still");
}
