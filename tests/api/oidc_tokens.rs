//! The token endpoint's grants and client authentication, refresh rotation, userinfo,
//! revocation, introspection and sign-out.
use reqwest::StatusCode;
use serde_json::Value;
use usher::domain::Role;
use usher::domain::application::{ClientKind, OrgPolicy};

use crate::helpers::oidc::{Client, POST_LOGOUT_URI, claims, param};
use crate::helpers::{PASSWORD, TestApp, location, spawn_app};

const EMAIL: &str = "ada@example.com";

/// A signed-out user, an application, and the tokens of one sign-in with `offline_access`.
async fn signed_in_tokens(policy: OrgPolicy, org: Option<&str>) -> (TestApp, Client, Value) {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", EMAIL, PASSWORD)
        .await;
    app.sign_out().await;
    if let Some(slug) = org {
        app.become_operator().await;
        app.create_org("Acme", slug, "shared", false).await;
        app.sign_out().await;
        app.add_member(slug, EMAIL, Role::Member).await;
    }
    let client = app.register_client(ClientKind::Confidential, policy).await;
    let back = app
        .authorize_signing_in(&client, &[("scope", "openid email offline_access")], EMAIL)
        .await;
    let code = param(&back, "code").unwrap();
    let res = app.exchange(&client, &code, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens = res.json().await.unwrap();
    (app, client, tokens)
}

async fn error_of(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_refresh_token_is_rotated_and_its_reuse_revokes_the_family() {
    let (app, client, tokens) = signed_in_tokens(OrgPolicy::None, None).await;
    let first = tokens["refresh_token"].as_str().unwrap();
    let res = app.refresh(&client, first).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second: Value = res.json().await.unwrap();
    let second_token = second["refresh_token"].as_str().unwrap();
    assert_ne!(second_token, first);
    assert!(second["id_token"].is_string());
    assert_eq!(
        claims(second["access_token"].as_str().unwrap())["scope"],
        "openid email offline_access"
    );

    // The first token again: someone else holds a copy. Both die.
    assert_eq!(
        error_of(app.refresh(&client, first).await).await,
        (StatusCode::BAD_REQUEST, "invalid_grant".into())
    );
    assert_eq!(
        error_of(app.refresh(&client, second_token).await).await.1,
        "invalid_grant"
    );
    // Another client cannot use a token it was not given.
    let other = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    assert_eq!(
        error_of(app.refresh(&other, second_token).await).await.1,
        "invalid_grant"
    );
}

#[tokio::test]
async fn a_member_who_leaves_the_organization_gets_no_new_tokens_for_it() {
    let (app, client, tokens) = signed_in_tokens(OrgPolicy::Required, Some("acme")).await;
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["org_name"],
        "Acme"
    );
    let res = app.post("/o/acme/leave", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(
        error_of(app.refresh(&client, refresh).await).await.1,
        "invalid_grant"
    );
    let revoked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM refresh_tokens WHERE revoked_at IS NOT NULL")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(revoked, 1, "revoked when the membership ended");
}

#[tokio::test]
async fn clients_authenticate_by_basic_or_post_and_failures_are_401_with_a_challenge() {
    let app = spawn_app().await;
    let client = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    let secret = client.secret.clone().unwrap();
    let http = reqwest::Client::new();
    let form = [
        ("grant_type", "client_credentials"),
        ("scope", "reports:read openid"),
    ];

    let res = app.token(&client, &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: Value = res.json().await.unwrap();
    assert!(tokens.get("id_token").is_none() && tokens.get("refresh_token").is_none());
    let at = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(at["sub"], client.client_id);
    assert_eq!(at["scope"], "reports:read");

    let mut posted = form.to_vec();
    posted.extend([
        ("client_id", client.client_id.as_str()),
        ("client_secret", secret.as_str()),
    ]);
    let res = http
        .post(app.url("/oauth/token"))
        .form(&posted)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "client_secret_post");

    let wrong = Client {
        client_id: client.client_id.clone(),
        secret: Some("not-the-secret".into()),
    };
    let res = app.token(&wrong, &form).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_eq!(error_of(res).await.1, "invalid_client");

    // Both methods at once, or a public client, are refused.
    let res = http
        .post(app.url("/oauth/token"))
        .basic_auth(&client.client_id, Some(&secret))
        .form(&posted)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(res).await.1, "invalid_request");
    let public = app
        .register_client(ClientKind::Public, OrgPolicy::None)
        .await;
    assert_eq!(
        error_of(app.token(&public, &form).await).await.1,
        "unauthorized_client"
    );
    let res = app.token(&client, &[("grant_type", "password")]).await;
    assert_eq!(error_of(res).await.1, "unsupported_grant_type");
}

#[tokio::test]
async fn userinfo_refuses_a_token_it_did_not_sign() {
    let (app, client, tokens) = signed_in_tokens(OrgPolicy::None, None).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(access).await.status(), StatusCode::OK);
    // Same claims, no valid signature.
    let mut parts: Vec<&str> = access.split('.').collect();
    parts[2] = "AAAA";
    let forged = parts.join(".");
    for token in [
        forged.as_str(),
        "garbage",
        tokens["id_token"].as_str().unwrap(),
    ] {
        let res = app.userinfo(token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token}");
        assert!(
            res.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("invalid_token")
        );
    }
    // A client_credentials token names no person.
    let res = app
        .token(&client, &[("grant_type", "client_credentials")])
        .await;
    let machine: Value = res.json().await.unwrap();
    let res = app
        .userinfo(machine["access_token"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_it_and_introspection_says_so() {
    let (app, client, tokens) = signed_in_tokens(OrgPolicy::None, None).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let secret = client.secret.clone().unwrap();
    let http = reqwest::Client::new();
    let introspect = |token: String| {
        let http = http.clone();
        let (url, id, secret) = (
            app.url("/oauth/introspect"),
            client.client_id.clone(),
            secret.clone(),
        );
        async move {
            let res = http
                .post(url)
                .basic_auth(id, Some(secret))
                .form(&[("token", token)])
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(introspect(access.to_owned()).await["active"], true);
    assert_eq!(introspect(refresh.to_owned()).await["active"], true);

    let res = http
        .post(app.url("/oauth/revoke"))
        .basic_auth(&client.client_id, Some(&secret))
        .form(&[("token", refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(introspect(refresh.to_owned()).await["active"], false);
    assert_eq!(
        error_of(app.refresh(&client, refresh).await).await.1,
        "invalid_grant"
    );
    assert_eq!(introspect("garbage".into()).await["active"], false);
}

#[tokio::test]
async fn rp_initiated_logout_ends_the_session_and_returns_to_a_registered_uri_only() {
    let (app, client, tokens) = signed_in_tokens(OrgPolicy::None, None).await;
    let hint = tokens["id_token"].as_str().unwrap();
    let res = app
        .get(&format!(
            "/oauth/logout?id_token_hint={hint}&post_logout_redirect_uri=https://evil.example/&state=s1"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(app.is_signed_in().await, "a refused logout changes nothing");

    // Without a hint, the person is asked.
    let res = app.get("/oauth/logout").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Sign out?"));
    assert!(app.is_signed_in().await);

    let res = app
        .get(&format!(
            "/oauth/logout?id_token_hint={hint}&post_logout_redirect_uri={POST_LOGOUT_URI}&state=s1"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), format!("{POST_LOGOUT_URI}?state=s1"));
    assert!(!app.is_signed_in().await);
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(
        error_of(app.refresh(&client, refresh).await).await.1,
        "invalid_grant",
        "the sign-in's tokens end with it"
    );
}

#[tokio::test]
async fn an_id_token_hint_about_someone_else_does_not_sign_the_person_out() {
    let (app, client, _) = signed_in_tokens(OrgPolicy::None, None).await;
    // Mallory signs in to the same application in her own browser and keeps her ID token.
    let mallory = app.other_browser();
    mallory
        .create_verified_user("Mallory", "mallory@example.com", PASSWORD)
        .await;
    let back = mallory.authorize(&client, &[]).await;
    let code = param(&location(&back), "code").unwrap();
    let tokens: Value = mallory
        .exchange(&client, &code, None)
        .await
        .json()
        .await
        .unwrap();
    let hint = tokens["id_token"].as_str().unwrap();

    // Her hint, in a link Ada follows, only asks Ada.
    let res = app
        .get(&format!("/oauth/logout?id_token_hint={hint}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Sign out?"));
    assert!(app.is_signed_in().await);
}
