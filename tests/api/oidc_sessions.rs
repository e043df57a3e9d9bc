//! What the applications hear about a sign-in after it began: back-channel logout tokens when
//! it ends (signed out, removed from the organization, blocked), the algorithm each signs its
//! tokens with, and landing in the product after an invitation (third-party initiated login).
use reqwest::StatusCode;
use serde_json::Value;
use usher::domain::application::{ClientKind, OrgPolicy, RedirectUri};
use usher::domain::signing_key::SigningAlgorithm;

use crate::helpers::oidc::{
    Client, claims, header, meta_refresh_target, new_app, param, verifies_with_jwks,
};
use crate::helpers::receiver::LogoutReceiver;
use crate::helpers::{PASSWORD, TestApp, location, spawn_app};
use crate::org_admin::acme_with_owner;

const EMAIL: &str = "ada@example.com";
const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// An application that listens for logout tokens at `receiver`.
async fn listening_app(app: &TestApp, receiver: &LogoutReceiver, policy: OrgPolicy) -> Client {
    let mut new = new_app(ClientKind::Confidential, policy);
    new.backchannel_logout_uri = Some(RedirectUri::parse(&receiver.uri).unwrap());
    app.register_app(new).await
}

/// Signs `email` in to `client` through the authorization endpoint; the token response.
async fn tokens_for(app: &TestApp, client: &Client, email: &str) -> Value {
    let back = app
        .authorize_signing_in(client, &[("scope", "openid email offline_access")], email)
        .await;
    let code = param(&back, "code").unwrap();
    let res = app.exchange(client, &code, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Checks a logout token as Back-Channel Logout §2.6 has the application check it; its claims.
async fn checked_logout_token(app: &TestApp, token: &str, client: &Client) -> Value {
    assert_eq!(header(token)["typ"], "logout+jwt");
    assert!(
        verifies_with_jwks(app, token).await,
        "signed with a published key"
    );
    let claims = claims(token);
    assert_eq!(claims["iss"], app.address.as_str());
    assert_eq!(claims["aud"], client.client_id.as_str());
    assert!(claims["events"][LOGOUT_EVENT].is_object());
    assert!(
        claims.get("nonce").is_none(),
        "never mistaken for an ID token"
    );
    assert!(claims["jti"].is_string());
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert!(exp > iat && exp - iat <= 120, "short-lived");
    claims
}

#[tokio::test]
async fn signing_out_sends_each_listening_application_a_logout_token() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", EMAIL, PASSWORD)
        .await;
    app.sign_out().await;
    let receiver = LogoutReceiver::start(&[]);
    let listening = listening_app(&app, &receiver, OrgPolicy::None).await;
    let deaf = app
        .register_client(ClientKind::Confidential, OrgPolicy::None)
        .await;
    let tokens = tokens_for(&app, &listening, EMAIL).await;
    // The second application is signed in by the same browser sign-in.
    let res = app.authorize(&deaf, &[]).await;
    assert_eq!(res.status(), StatusCode::FOUND, "single sign-on");

    app.sign_out().await;
    let received = receiver.wait_for(1).await;
    let logout = checked_logout_token(&app, &received[0], &listening).await;
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(logout["sub"], id_token["sub"]);
    assert_eq!(logout["sid"], id_token["sid"]);
    assert_eq!(app.count("application_sign_ins").await, 0);

    // A sign-in that already ended is not ended twice.
    app.sign_in(EMAIL, PASSWORD).await;
    app.sign_out().await;
    assert_eq!(app.count("jobs WHERE kind = 'send_logout_token'").await, 1);
    assert_eq!(receiver.tokens().len(), 1);
}

#[tokio::test]
async fn an_application_that_refuses_the_token_is_sent_a_fresh_one_again() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", EMAIL, PASSWORD)
        .await;
    app.sign_out().await;
    let receiver = LogoutReceiver::start(&[503]);
    let client = listening_app(&app, &receiver, OrgPolicy::None).await;
    tokens_for(&app, &client, EMAIL).await;
    app.sign_out().await;
    let received = receiver.wait_for(2).await;
    let (first, second) = (
        checked_logout_token(&app, &received[0], &client).await,
        checked_logout_token(&app, &received[1], &client).await,
    );
    assert_eq!(first["sid"], second["sid"]);
    assert_ne!(first["jti"], second["jti"], "a new token for each try");
}

#[tokio::test]
async fn removing_a_member_tells_the_applications_signed_in_to_that_organization() {
    let app = spawn_app().await;
    let owner = acme_with_owner(&app).await;
    let member = crate::org_admin::member(&app, &owner, EMAIL, "Ada", "member").await;
    member.sign_out().await;
    let receiver = LogoutReceiver::start(&[]);
    let client = listening_app(&member, &receiver, OrgPolicy::Required).await;
    let tokens = tokens_for(&member, &client, EMAIL).await;
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["org_id"],
        app.org_id("acme").await
    );

    let id = member.user_by_email(EMAIL).await.id;
    let res = owner
        .post(&format!("/o/acme/admin/members/{id}/remove"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let received = receiver.wait_for(1).await;
    let logout = checked_logout_token(&app, &received[0], &client).await;
    assert_eq!(logout["sub"], id.as_str());
}

#[tokio::test]
async fn blocking_a_user_ends_their_sign_ins_everywhere() {
    let operator = spawn_app().await;
    operator.become_operator().await;
    let app = operator.other_browser();
    app.create_verified_user("Ada Lovelace", EMAIL, PASSWORD)
        .await;
    app.sign_out().await;
    let receiver = LogoutReceiver::start(&[]);
    let client = listening_app(&app, &receiver, OrgPolicy::None).await;
    let tokens = tokens_for(&app, &client, EMAIL).await;
    let ada = app.user_by_email(EMAIL).await.id;

    let users = operator.get_html("/admin/users").await;
    assert!(users.contains(&format!("/admin/users/{ada}/block")));
    let res = operator
        .post(&format!("/admin/users/{ada}/block"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let users = operator.get_html("/admin/users").await;
    assert!(users.contains(&format!("/admin/users/{ada}/unblock")));

    let received = receiver.wait_for(1).await;
    checked_logout_token(&app, &received[0], &client).await;
    let refresh = app
        .refresh(&client, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(refresh.status(), StatusCode::BAD_REQUEST);
    assert!(!app.is_signed_in().await, "the browser session ended too");
    let blocked = "audit_events WHERE action = 'user.blocked'";
    assert_eq!(app.count(blocked).await, 1);

    // Blocking twice changes nothing; letting back in lets Ada sign in again.
    operator
        .post(&format!("/admin/users/{ada}/block"), &[])
        .await;
    assert_eq!(app.count(blocked).await, 1);
    operator
        .post(&format!("/admin/users/{ada}/unblock"), &[])
        .await;
    app.sign_in(EMAIL, PASSWORD).await;
    assert!(app.is_signed_in().await);
}

#[tokio::test]
async fn an_operator_cannot_block_themselves_or_a_stranger_block_anyone() {
    let app = spawn_app().await;
    app.become_operator().await;
    let me = app.get_html("/admin/users").await;
    assert!(!me.contains("/block\""), "no button for oneself");
    let users: Vec<String> = sqlx::query_scalar("SELECT id FROM users")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    let res = app
        .post(&format!("/admin/users/{}/block", users[0]), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let stranger = app.other_browser();
    stranger
        .create_verified_user("Mallory", "mallory@example.com", PASSWORD)
        .await;
    let res = stranger
        .post(&format!("/admin/users/{}/block", users[0]), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("users WHERE blocked_at IS NOT NULL").await, 0);
}

#[tokio::test]
async fn an_es256_application_gets_es256_tokens_that_verify_with_the_jwks() {
    let app = spawn_app().await;
    app.create_verified_user("Ada Lovelace", EMAIL, PASSWORD)
        .await;
    app.sign_out().await;
    let mut new = new_app(ClientKind::Confidential, OrgPolicy::None);
    new.signing_algorithm = SigningAlgorithm::Es256;
    let client = app.register_app(new).await;
    let tokens = tokens_for(&app, &client, EMAIL).await;
    for token in ["id_token", "access_token"] {
        let jwt = tokens[token].as_str().unwrap();
        assert_eq!(header(jwt)["alg"], "ES256", "{token}");
        assert!(verifies_with_jwks(&app, jwt).await, "{token}");
    }
    let res = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "Usher reads its own ES256 tokens"
    );

    let discovery: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256", "ES256"])
    );
    assert_eq!(discovery["backchannel_logout_supported"], true);
    assert_eq!(discovery["backchannel_logout_session_supported"], true);
}

#[tokio::test]
async fn accepting_an_invitation_lands_in_the_default_application() {
    let app = spawn_app().await;
    let mut new = new_app(ClientKind::Confidential, OrgPolicy::Required);
    new.initiate_login_uri = Some(RedirectUri::parse("https://app.example.test/login").unwrap());
    new.deployment_default = true;
    let client = app.register_app(new).await;

    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", false).await;
    app.invite_owner("acme", "owner@acme.test").await;
    let owner = app.other_browser();
    let res = owner
        .accept_invitation_as_new("owner@acme.test", "Olive Owner", PASSWORD)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a page continues (form-action)"
    );
    let target = meta_refresh_target(&res.text().await.unwrap()).expect("a meta refresh");
    let iss = url::form_urlencoded::byte_serialize(app.address.as_bytes()).collect::<String>();
    assert_eq!(
        target,
        format!(
            "https://app.example.test/login?iss={iss}&login_hint=owner%40acme.test\
             &target_link_uri=https%3A%2F%2Fapp.example.test%2F"
        )
    );
    // The application then asks, and the new session answers at once, in the new org.
    let res = owner.authorize(&client, &[]).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let code = param(&location(&res), "code").expect("a code");
    let tokens: Value = owner
        .exchange(&client, &code, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["org_id"],
        app.org_id("acme").await
    );
}

#[tokio::test]
async fn without_a_default_application_an_invitation_lands_in_the_organization() {
    let app = spawn_app().await;
    // An application without an initiate login URI is nobody's landing.
    app.register_client(ClientKind::Confidential, OrgPolicy::Required)
        .await;
    let owner = acme_with_owner(&app).await;
    assert!(owner.is_signed_in().await);
}

/// An application people may land in, starting its sign-ins at `https://{host}/login`.
async fn landing_app(app: &TestApp, host: &str, deployment_default: bool) -> Client {
    let mut new = new_app(ClientKind::Confidential, OrgPolicy::Optional);
    let initiate = format!("https://{host}/login");
    new.initiate_login_uri = Some(RedirectUri::parse(&initiate).unwrap());
    new.deployment_default = deployment_default;
    app.register_app(new).await
}

#[tokio::test]
async fn verifying_an_email_lands_in_the_default_application() {
    let app = spawn_app().await;
    landing_app(&app, "app.example.test", true).await;
    app.sign_up("Ada Lovelace", EMAIL, PASSWORD).await;
    let link = app
        .last_mail_with_subject(EMAIL, "Verify your email")
        .await
        .link_to("/verify-email");
    let res = app.follow_verification(&link).await;
    assert_eq!(res.status(), StatusCode::OK);
    let target = meta_refresh_target(&res.text().await.unwrap()).expect("a meta refresh");
    assert!(
        target.starts_with("https://app.example.test/login?iss="),
        "{target}"
    );
    assert!(app.is_signed_in().await);
}

#[tokio::test]
async fn an_organizations_own_landing_application_comes_before_the_deployments() {
    let app = spawn_app().await;
    landing_app(&app, "everyone.example.test", true).await;
    let acme_app = landing_app(&app, "acme.example.test", false).await;
    let plain = app
        .register_client(ClientKind::Confidential, OrgPolicy::Optional)
        .await;
    app.become_operator().await;
    app.create_org("Acme", "acme", "shared", false).await;

    // Only an application that can start a sign-in can be one.
    let page = app.get_html("/admin/orgs/acme").await;
    assert!(page.contains(&acme_app.client_id) && !page.contains(&plain.client_id));
    let res = app
        .post(
            "/admin/orgs/acme/landing",
            &[("application", &plain.client_id)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(
            "/admin/orgs/acme/landing",
            &[("application", &acme_app.client_id)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    app.invite_owner("acme", "owner@acme.test").await;
    let owner = app.other_browser();
    let res = owner
        .accept_invitation_as_new("owner@acme.test", "Olive Owner", PASSWORD)
        .await;
    let target = meta_refresh_target(&res.text().await.unwrap()).expect("a meta refresh");
    assert!(
        target.starts_with("https://acme.example.test/login?"),
        "{target}"
    );
}
