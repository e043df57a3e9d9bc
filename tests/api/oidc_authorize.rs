//! The OpenID Provider's authorization endpoint: discovery, the checks of a request and where
//! their errors go, sign-in, single sign-on, prompt, and organizations.
use reqwest::StatusCode;
use usher::domain::Role;
use usher::domain::application::{ClientKind, OrgPolicy};

use crate::helpers::oidc::{REDIRECT_URI, claims, meta_refresh_target, param, pkce};
use crate::helpers::{PASSWORD, TestApp, location, spawn_app};

const EMAIL: &str = "ada@example.com";

/// An app with a verified user who is signed out.
async fn app_with_user() -> TestApp {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", EMAIL, PASSWORD)
        .await;
    app.sign_out().await;
    app
}

/// Organizations `acme` and `globex`, made by the operator, who then signs out.
async fn with_orgs(app: &TestApp) {
    app.become_operator().await;
    for (name, slug) in [("Acme", "acme"), ("Globex", "globex")] {
        let res = app.create_org(name, slug, "shared", false).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "create {slug}");
    }
    app.sign_out().await;
}

#[tokio::test]
async fn discovery_names_the_issuer_and_every_endpoint() {
    let app = spawn_app().await;
    let res = app.get("/.well-known/openid-configuration").await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: serde_json::Value = res.json().await.unwrap();
    let issuer = app.address.trim_end_matches('/');
    assert_eq!(doc["issuer"], issuer);
    for (field, path) in [
        ("authorization_endpoint", "/oauth/authorize"),
        ("token_endpoint", "/oauth/token"),
        ("userinfo_endpoint", "/oauth/userinfo"),
        ("jwks_uri", "/oauth/jwks"),
        ("end_session_endpoint", "/oauth/logout"),
        ("revocation_endpoint", "/oauth/revoke"),
        ("introspection_endpoint", "/oauth/introspect"),
    ] {
        assert_eq!(doc[field], format!("{issuer}{path}"), "{field}");
    }
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
}

#[tokio::test]
async fn an_unknown_client_or_unregistered_redirect_uri_gets_a_page_never_a_redirect() {
    let app = spawn_app().await;
    let client = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    let unknown = crate::helpers::oidc::Client {
        client_id: "nobody".into(),
        secret: None,
    };
    for (client, extra) in [
        (&unknown, vec![]),
        (&client, vec![("redirect_uri", "https://evil.example/cb")]),
        (
            &client,
            vec![("redirect_uri", "http://127.0.0.1:9/callback/")],
        ),
    ] {
        let res = app.authorize(client, &extra).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.headers().get("location").is_none());
        assert!(res.text().await.unwrap().contains("cannot be used"));
    }
    assert_eq!(app.count("authorization_requests").await, 0);
}

#[tokio::test]
async fn refusals_go_back_to_the_application_with_state_and_issuer() {
    let app = spawn_app().await;
    let confidential = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    let public = app
        .register_client(ClientKind::Public, OrgPolicy::None)
        .await;
    let (_, challenge) = pkce();
    let long_state = "x".repeat(5000);
    for (client, extra, error) in [
        (
            &confidential,
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (
            &confidential,
            vec![("response_type", "code id_token")],
            "unsupported_response_type",
        ),
        (&confidential, vec![("scope", "email")], "invalid_scope"),
        (&public, vec![], "invalid_request"),
        (
            &public,
            vec![
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "plain"),
            ],
            "invalid_request",
        ),
        (
            &confidential,
            vec![("organization", "acme")],
            "invalid_request",
        ),
        (
            &confidential,
            vec![("request", "eyJ...")],
            "request_not_supported",
        ),
        (
            &confidential,
            vec![("state", long_state.as_str())],
            "invalid_request",
        ),
    ] {
        let res = app.authorize(client, &extra).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{extra:?}");
        let to = location(&res);
        assert!(to.starts_with(REDIRECT_URI), "{to}");
        assert_eq!(param(&to, "error").as_deref(), Some(error), "{extra:?}");
        assert_eq!(
            param(&to, "iss").unwrap(),
            app.address.trim_end_matches('/')
        );
        if !extra.iter().any(|(name, _)| *name == "state") {
            assert_eq!(param(&to, "state").as_deref(), Some("the-state"));
        }
    }
    assert_eq!(app.count("authorization_requests").await, 0);
    assert_eq!(app.count("authorization_codes").await, 0);
}

#[tokio::test]
async fn prompt_none_without_a_session_answers_login_required_without_a_page() {
    let app = spawn_app().await;
    let client = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    let res = app.authorize(&client, &[("prompt", "none")]).await;
    let to = location(&res);
    assert!(to.starts_with(REDIRECT_URI), "{to}");
    assert_eq!(param(&to, "error").as_deref(), Some("login_required"));
}

#[tokio::test]
async fn a_person_signs_in_and_the_application_gets_a_code_for_their_tokens() {
    let app = app_with_user().await;
    let client = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    let (verifier, challenge) = pkce();
    let pkce = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let back = app.authorize_signing_in(&client, &pkce, EMAIL).await;
    assert!(back.starts_with(REDIRECT_URI), "{back}");
    assert_eq!(param(&back, "state").as_deref(), Some("the-state"));
    assert_eq!(
        param(&back, "iss").unwrap(),
        app.address.trim_end_matches('/')
    );
    let code = param(&back, "code").unwrap();
    assert!(code.len() >= 43, "at least 128 random bits");

    let res = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let tokens: serde_json::Value = res.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access asked"
    );
    let user = app.user_by_email(EMAIL).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["iss"], app.address.trim_end_matches('/'));
    assert_eq!(id["aud"], serde_json::json!([client.client_id]));
    assert_eq!(id["sub"], user.id.as_str());
    assert_eq!(id["nonce"], "the-nonce");
    assert_eq!(id["email"], EMAIL);
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Ada Lovelace");
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));
    assert!(id["sid"].is_string() && id["auth_time"].is_i64() && id["at_hash"].is_string());
    assert!(id.get("org_id").is_none(), "an application for individuals");

    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(crate::helpers::oidc::header(access)["typ"], "at+jwt");
    let at = claims(access);
    assert_eq!(at["client_id"], client.client_id);
    assert_eq!(at["sub"], user.id.as_str());
    assert!(at["jti"].is_string());
    assert_eq!(
        at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(),
        600
    );

    let info: serde_json::Value = app.userinfo(access).await.json().await.unwrap();
    assert_eq!(info["sub"], user.id.as_str());
    assert_eq!(info["email"], EMAIL);
}

#[tokio::test]
async fn a_second_application_signs_the_person_in_without_asking_again() {
    let app = app_with_user().await;
    let first = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    let second = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    app.authorize_signing_in(&first, &[], EMAIL).await;

    let res = app.authorize(&second, &[]).await;
    assert_eq!(res.status(), StatusCode::FOUND, "straight back, no page");
    let code = param(&location(&res), "code").unwrap();
    assert_eq!(
        app.exchange(&second, &code, None).await.status(),
        StatusCode::OK
    );

    // Unless the application asks for a fresh sign-in.
    let res = app.authorize(&second, &[("prompt", "login")]).await;
    assert_eq!(location(&res), "/login");
    assert!(!app.is_signed_in().await);
    app.sign_in(EMAIL, PASSWORD).await;
    let back = app.continued().await;
    assert!(param(&back, "code").is_some());
}

#[tokio::test]
async fn a_code_is_bound_to_its_client_redirect_uri_and_verifier_and_works_once() {
    let app = app_with_user().await;
    let client = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    let other = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    let (verifier, challenge) = pkce();
    let pkce = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("scope", "openid offline_access"),
    ];
    app.authorize_signing_in(&client, &pkce, EMAIL).await;
    let code_for = |res: reqwest::Response| param(&location(&res), "code").unwrap();

    let code = code_for(app.authorize(&client, &pkce).await);
    let res = app
        .exchange(
            &client,
            &code,
            Some("a-wrong-verifier-that-is-long-enough-to-be-one-xx"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");

    let code = code_for(app.authorize(&client, &pkce).await);
    assert_eq!(
        app.exchange(&other, &code, Some(&verifier)).await.status(),
        StatusCode::BAD_REQUEST
    );

    let code = code_for(app.authorize(&client, &pkce).await);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1:9/elsewhere"),
        ("code_verifier", verifier.as_str()),
    ];
    assert_eq!(
        app.token(&client, &form).await.status(),
        StatusCode::BAD_REQUEST
    );

    let code = code_for(app.authorize(&client, &pkce).await);
    app.exec("UPDATE authorization_codes SET expires_at = 0 WHERE used_at IS NULL")
        .await;
    assert_eq!(
        app.exchange(&client, &code, Some(&verifier)).await.status(),
        StatusCode::BAD_REQUEST
    );

    // Used once; a replay is refused and revokes what the first exchange gave.
    let code = code_for(app.authorize(&client, &pkce).await);
    let first = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: serde_json::Value = first.json().await.unwrap();
    let replay = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    let refresh = first["refresh_token"].as_str().unwrap();
    let res = app.refresh(&client, refresh).await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "the replay revoked the family"
    );
}

#[tokio::test]
async fn a_request_naming_an_organization_signs_in_on_its_page_and_carries_its_claims() {
    let app = app_with_user().await;
    with_orgs(&app).await;
    app.add_member("acme", EMAIL, Role::Admin).await;
    let client = app
        .register_client(ClientKind::Confidential, OrgPolicy::Required)
        .await;

    let res = app.authorize(&client, &[("organization", "acme")]).await;
    assert_eq!(
        location(&res),
        "/o/acme/login",
        "the organization's own page"
    );
    let back = app
        .authorize_signing_in(&client, &[("organization", "acme")], EMAIL)
        .await;
    let code = param(&back, "code").unwrap();
    let tokens: serde_json::Value = app
        .exchange(&client, &code, None)
        .await
        .json()
        .await
        .unwrap();
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["org_id"], app.org_id("acme").await);
    assert_eq!(id["org_name"], "Acme");
    assert_eq!(id["org_role"], "admin");
    let at = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(at["org_id"], app.org_id("acme").await);

    // By id as well as by slug; an organization the person is not in is refused.
    let acme_id = app.org_id("acme").await;
    let res = app
        .authorize(&client, &[("organization", acme_id.as_str())])
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let res = app.authorize(&client, &[("organization", "globex")]).await;
    assert_eq!(
        param(&location(&res), "error").as_deref(),
        Some("access_denied")
    );
    let res = app
        .authorize(&client, &[("organization", "no-such-org")])
        .await;
    assert_eq!(
        param(&location(&res), "error").as_deref(),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn a_person_in_several_organizations_picks_one_when_the_application_requires_it() {
    let app = app_with_user().await;
    with_orgs(&app).await;
    app.add_member("acme", EMAIL, Role::Member).await;
    app.add_member("globex", EMAIL, Role::Owner).await;
    let client = app
        .register_client(ClientKind::Confidential, OrgPolicy::Required)
        .await;

    let res = app.authorize(&client, &[]).await;
    assert_eq!(location(&res), "/login");
    let res = app.sign_in(EMAIL, PASSWORD).await;
    assert_eq!(location(&res), "/oauth/authorize/continue");
    let res = app.get("/oauth/authorize/continue").await;
    assert_eq!(location(&res), "/oauth/authorize/organization");
    let picker = app.get_html("/oauth/authorize/organization").await;
    assert!(
        picker.contains("Acme") && picker.contains("Globex"),
        "{picker}"
    );

    // prompt=none cannot show the picker.
    let res = app.authorize(&client, &[("prompt", "none")]).await;
    assert_eq!(
        param(&location(&res), "error").as_deref(),
        Some("interaction_required")
    );

    let res = app
        .post("/oauth/authorize/organization", &[("slug", "globex")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a page that continues (form-action)"
    );
    let back = meta_refresh_target(&res.text().await.unwrap()).unwrap();
    let code = param(&back, "code").unwrap();
    let tokens: serde_json::Value = app
        .exchange(&client, &code, None)
        .await
        .json()
        .await
        .unwrap();
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["org_name"], "Globex");
    assert_eq!(id["org_role"], "owner");
    assert_eq!(
        app.count("authorization_requests").await,
        0,
        "answered, forgotten"
    );

    // The next time, the last choice comes first.
    app.authorize(&client, &[]).await;
    let picker = app.get_html("/oauth/authorize/organization").await;
    assert!(picker.find("Globex").unwrap() < picker.find("Acme").unwrap());
}

#[tokio::test]
async fn an_application_that_requires_an_organization_refuses_a_person_without_one() {
    let app = app_with_user().await;
    let client = app
        .register_client(ClientKind::Confidential, OrgPolicy::Required)
        .await;
    app.sign_in(EMAIL, PASSWORD).await;
    let res = app.authorize(&client, &[]).await;
    assert_eq!(
        param(&location(&res), "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(app.count("authorization_codes").await, 0);
}
