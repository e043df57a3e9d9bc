//! Passwords hashed by other systems: a user who arrives with one signs in with their old
//! password, and from then on their hash is Usher's argon2id (the unit tests in
//! src/credentials/legacy check every format against its software's own output).
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, location, spawn_app};

/// Hashes of `PASSWORD` ("correct horse battery staple") as other software wrote them.
const LEGACY: [(&str, &str); 4] = [
    // Python bcrypt 5.0.0
    (
        "bcrypt",
        "$2b$04$a4LXzhauaCjwwSemNYAYvOuWSBIhYLueIiNXwqOoZgDLuCc0D9rvK",
    ),
    // passlib 1.7.4 phpass (WordPress)
    ("phpass", "$P$6Ya5z5mhx5Nal.pgTs7MJyVFSqUPBz."),
    // Django 5.2.19 PBKDF2PasswordHasher (1000 iterations)
    (
        "django",
        "pbkdf2_sha256$1000$8x8D22xgHrvHAojrEUqziQ$rzhVhfjW0Jkvviw1Fhw/UF4utSStCbhACxuxowk7PVM=",
    ),
    // An Auth0 custom_password_hash: Python hashlib sha256(salt + password)
    (
        "auth0",
        r#"{"algorithm":"sha256","hash":{"value":"6f7c4ed3a72afa6097df915ce44381425858845553a8fefd0ef4a3f6e4838630","encoding":"hex"},"salt":{"value":"s4lt-Value","encoding":"utf8","position":"prefix"}}"#,
    ),
];

async fn stored_hash(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_legacy_hash_signs_in_with_the_old_password_and_becomes_argon2id() {
    let app = spawn_app().await;
    for (format, legacy) in LEGACY {
        let email = format!("{format}@example.com");
        app.other_browser()
            .create_verified_user("Legacy", &email, "a different password for now 1")
            .await;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
            .bind(legacy)
            .bind(&email)
            .execute(app.store.pool())
            .await
            .unwrap();

        let wrong = app
            .other_browser()
            .sign_in(&email, "correct horse battery stapler")
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{format}");
        assert_eq!(
            stored_hash(&app, &email).await,
            legacy,
            "{format}: kept on a wrong password"
        );

        let browser = app.other_browser();
        let res = browser.sign_in(&email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{format}");
        assert_ne!(location(&res), "/login", "{format}");
        let upgraded = stored_hash(&app, &email).await;
        assert!(
            upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{format}: {upgraded}"
        );
        // The old password goes on working, now against argon2id.
        let again = app.other_browser().sign_in(&email, PASSWORD).await;
        assert_eq!(again.status(), StatusCode::SEE_OTHER, "{format}");
    }
}
