//! Enterprise sign-in through an organization's identity provider, against an in-test
//! provider that signs what each test tells it to (helpers/idp.rs): the first sign-in
//! creates the person and their membership, later ones find them by (connection, sub); and
//! one test per negative case of the OpenID Foundation's RP conformance plan, each refused
//! with nothing created.
use reqwest::StatusCode;
use serde_json::{Value, json};
use usher::domain::signing_key::SigningAlgorithm;

use crate::helpers::idp::{CLIENT_ID, CLIENT_SECRET, FakeIdp, Signing};
use crate::helpers::{PASSWORD, TestApp, location, spawn_app};

const DOMAIN: &str = "acme-corp.test";

/// An app with an organization `acme` whose owner is signed in in `owner`, a verified domain,
/// and an identity provider added by the owner.
struct World {
    app: TestApp,
    owner: TestApp,
    idp: FakeIdp,
    connection: String,
}

async fn org_with_owner(app: &TestApp, slug: &str, owner: &str) -> TestApp {
    app.create_org(&format!("Org {slug}"), slug, "shared", false)
        .await;
    app.invite_owner(slug, owner).await;
    let browser = app.other_browser();
    let res = browser
        .accept_invitation_as_new(owner, "Owner", PASSWORD)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "invitation not accepted"
    );
    browser
}

fn connection_fields<'a>(issuer: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("display_name", "Acme Login"),
        ("issuer", issuer),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("scopes", "openid email profile"),
        ("role_rules", "acme-admins = admin"),
        ("default_role", "member"),
        ("create_users", "on"),
        ("update_every_sign_in", "on"),
    ];
    fields.extend_from_slice(extra);
    fields
}

async fn world_with(extra: &[(&str, &str)]) -> World {
    let app = spawn_app().await;
    app.become_operator().await;
    let owner = org_with_owner(&app, "acme", "owner@acme-corp.test").await;
    app.exec(&format!(
        "INSERT INTO domains (id, organization_id, name, verification_token, verified_at, created_at)
         SELECT '0190b000-0000-7000-8000-00000000d001', id, '{DOMAIN}', 'token', 1, 1
         FROM organizations WHERE slug = 'acme'"
    ))
    .await;
    let idp = FakeIdp::start();
    let res = owner
        .post("/o/acme/admin/sso", &connection_fields(&idp.issuer, extra))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "connection not added");
    let connection = location(&res).rsplit('/').next().unwrap().to_owned();
    World {
        app,
        owner,
        idp,
        connection,
    }
}

async fn world() -> World {
    world_with(&[]).await
}

/// The claims of Ada as the provider knows her.
fn ada() -> Value {
    json!({
        "email": "ada@acme-corp.test",
        "email_verified": true,
        "name": "Ada Lovelace",
        "groups": ["engineering"],
    })
}

impl World {
    /// Starts a sign-in in `browser`: the URL the provider is sent.
    async fn start(&self, browser: &TestApp) -> String {
        let res = browser
            .get(&format!("/sso/{}/start", self.connection))
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to = location(&res);
        assert!(
            to.starts_with(&self.idp.issuer),
            "sent to the provider: {to}"
        );
        to
    }

    /// The provider's redirect back to Usher with `code` for the request at `authorize`.
    async fn callback(&self, browser: &TestApp, authorize: &str, code: &str) -> reqwest::Response {
        let state = param(authorize, "state");
        browser
            .get(&format!(
                "/sso/{}/callback?code={code}&state={state}",
                self.connection
            ))
            .await
    }

    /// A whole sign-in in `browser`, the provider signing `claims` as `signing` says.
    async fn sign_in(
        &self,
        browser: &TestApp,
        claims: Value,
        signing: Signing,
    ) -> reqwest::Response {
        let authorize = self.start(browser).await;
        let code = self.idp.approve(&authorize, claims, signing);
        self.callback(browser, &authorize, &code).await
    }

    /// A whole sign-in in a new browser, signed as a provider does.
    async fn sign_in_anew(&self, claims: Value) -> reqwest::Response {
        let browser = self.app.other_browser();
        self.sign_in(&browser, claims, Signing::Key(SigningAlgorithm::Rs256))
            .await
    }

    async fn identities(&self) -> i64 {
        self.app.count("external_identities").await
    }

    async fn users(&self) -> i64 {
        self.app.count("users").await
    }

    /// Refused with the plain page, and nothing created.
    async fn assert_refused(&self, res: reqwest::Response, users_before: i64) {
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("Your company&#39;s sign-in could not be completed")
                || page.contains("Your company's sign-in could not be completed"),
            "the plain page: {page}"
        );
        assert!(page.contains("Request id"), "with a request id");
        assert_eq!(self.users().await, users_before, "no user created");
        assert_eq!(self.identities().await, 0, "no identity created");
    }
}

fn param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

async fn role_of(app: &TestApp, email: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id
         JOIN organizations o ON o.id = m.organization_id
         WHERE u.email = $1 AND o.slug = 'acme'",
    )
    .bind(email)
    .fetch_optional(app.store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_first_sign_in_creates_the_person_and_later_ones_find_them_by_subject() {
    let w = world().await;
    let ada_browser = w.app.other_browser();
    let users = w.users().await;
    let res = w
        .sign_in(&ada_browser, ada(), Signing::Key(SigningAlgorithm::Rs256))
        .await;
    assert_eq!(location(&res), "/o/acme", "lands in the organization");
    assert!(ada_browser.is_signed_in().await);
    assert_eq!(w.users().await, users + 1);
    assert_eq!(
        role_of(&w.app, "ada@acme-corp.test").await.as_deref(),
        Some("member")
    );
    let token = &w.idp.token_requests()[0];
    assert_eq!(token["grant_type"], "authorization_code");
    assert!(token.contains_key("code_verifier"), "PKCE verifier sent");
    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE action LIKE 'sso.%' ORDER BY occurred_at",
    )
    .fetch_all(w.app.store.pool())
    .await
    .unwrap();
    assert_eq!(audit, ["sso.connection_created", "sso.user_created"]);

    // Later, at the provider: a new name, a new email, and a group that maps to admin.
    let later = w.app.other_browser();
    let mut claims = ada();
    claims["name"] = "Ada King".into();
    claims["email"] = "ada.king@acme-corp.test".into();
    claims["groups"] = json!(["acme-admins"]);
    let res = w
        .sign_in(&later, claims, Signing::Key(SigningAlgorithm::Es256))
        .await;
    assert_eq!(location(&res), "/o/acme");
    assert_eq!(w.users().await, users + 1, "the same person, found by sub");
    let name: String =
        sqlx::query_scalar("SELECT name FROM users WHERE email = 'ada.king@acme-corp.test'")
            .fetch_one(w.app.store.pool())
            .await
            .unwrap();
    assert_eq!(name, "Ada King");
    assert_eq!(
        role_of(&w.app, "ada.king@acme-corp.test").await.as_deref(),
        Some("admin")
    );
}

#[tokio::test]
async fn a_wrong_issuer_is_refused() {
    let w = world().await;
    let users = w.users().await;
    let mut claims = ada();
    claims["iss"] = "https://evil.example".into();
    let res = w.sign_in_anew(claims).await;
    w.assert_refused(res, users).await;
}

#[tokio::test]
async fn a_missing_or_wrong_audience_is_refused() {
    let w = world().await;
    let users = w.users().await;
    for aud in [
        Value::Null,
        json!("someone-else"),
        json!(["someone-else", "another"]),
    ] {
        let mut claims = ada();
        claims["aud"] = aud;
        let res = w.sign_in_anew(claims).await;
        w.assert_refused(res, users).await;
    }
    // An extra audience Usher does not know, or an authorized party that is not Usher.
    let mut claims = ada();
    claims["aud"] = json!([CLIENT_ID, "another"]);
    let res = w.sign_in_anew(claims).await;
    w.assert_refused(res, users).await;
    let mut claims = ada();
    claims["azp"] = "another".into();
    let res = w.sign_in_anew(claims).await;
    w.assert_refused(res, users).await;
}

#[tokio::test]
async fn a_missing_sub_or_iat_is_refused() {
    let w = world().await;
    let users = w.users().await;
    for missing in ["sub", "iat"] {
        let mut claims = ada();
        claims[missing] = Value::Null;
        let res = w.sign_in_anew(claims).await;
        w.assert_refused(res, users).await;
    }
}

#[tokio::test]
async fn bad_signatures_are_refused() {
    let w = world().await;
    let users = w.users().await;
    for signing in [
        Signing::Corrupted(SigningAlgorithm::Rs256),
        Signing::Corrupted(SigningAlgorithm::Es256),
        Signing::Unsigned,
        Signing::HmacWithPublicKey,
    ] {
        let res = w.sign_in(&w.app.other_browser(), ada(), signing).await;
        w.assert_refused(res, users).await;
    }
}

#[tokio::test]
async fn a_wrong_nonce_or_an_expired_token_is_refused() {
    let w = world().await;
    let users = w.users().await;
    let mut claims = ada();
    claims["nonce"] = "a-nonce-of-another-sign-in".into();
    let res = w.sign_in_anew(claims).await;
    w.assert_refused(res, users).await;

    let now = usher::store::now();
    let mut claims = ada();
    claims["exp"] = (now - 120).into();
    claims["iat"] = (now - 600).into();
    let res = w.sign_in_anew(claims).await;
    w.assert_refused(res, users).await;

    let mut claims = ada();
    claims["iat"] = (now + 3600).into();
    let res = w.sign_in_anew(claims).await;
    w.assert_refused(res, users).await;
}

#[tokio::test]
async fn a_replayed_state_or_code_is_refused() {
    let w = world().await;
    let browser = w.app.other_browser();
    let authorize = w.start(&browser).await;
    let code = w
        .idp
        .approve(&authorize, ada(), Signing::Key(SigningAlgorithm::Rs256));
    let res = w.callback(&browser, &authorize, &code).await;
    assert_eq!(location(&res), "/o/acme");
    let users = w.users().await;

    // The same answer again: its state was used.
    let replay = w.app.other_browser();
    let res = w.callback(&replay, &authorize, &code).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The old code with a fresh state: the provider refuses a used code.
    let fresh = w.start(&replay).await;
    let res = w.callback(&replay, &fresh, &code).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(!replay.is_signed_in().await);
    assert_eq!(w.users().await, users);
}

#[tokio::test]
async fn a_code_bound_to_another_pkce_challenge_is_refused() {
    let w = world().await;
    let users = w.users().await;
    // An attacker's own sign-in gives them a code bound to their PKCE challenge; they slip it
    // into the victim's callback with the victim's state.
    let attacker = w.app.other_browser();
    let theirs = w.start(&attacker).await;
    let code = w
        .idp
        .approve(&theirs, ada(), Signing::Key(SigningAlgorithm::Rs256));
    let victim = w.app.other_browser();
    let mine = w.start(&victim).await;
    let res = w.callback(&victim, &mine, &code).await;
    w.assert_refused(res, users).await;
    let sent = w.idp.token_requests();
    assert!(sent.iter().all(|form| !form["code_verifier"].is_empty()));
}

#[tokio::test]
async fn a_userinfo_answer_for_another_subject_is_refused() {
    let w = world().await;
    let users = w.users().await;
    w.idp.set_userinfo_sub("mallory");
    let res = w.sign_in_anew(ada()).await;
    w.assert_refused(res, users).await;
}

#[tokio::test]
async fn a_state_from_another_browser_or_for_another_connection_is_refused() {
    let w = world().await;
    let users = w.users().await;
    let starter = w.app.other_browser();
    let authorize = w.start(&starter).await;
    let code = w
        .idp
        .approve(&authorize, ada(), Signing::Key(SigningAlgorithm::Rs256));
    // Another browser brings the answer (login CSRF): it has no cookie naming the flow.
    let res = w.callback(&w.app.other_browser(), &authorize, &code).await;
    w.assert_refused(res, users).await;

    // A second connection: an answer for the first, delivered to the second's callback.
    let res = w
        .owner
        .post("/o/acme/admin/sso", &connection_fields(&w.idp.issuer, &[]))
        .await;
    let second = location(&res).rsplit('/').next().unwrap().to_owned();
    let browser = w.app.other_browser();
    let authorize = w.start(&browser).await;
    let code = w
        .idp
        .approve(&authorize, ada(), Signing::Key(SigningAlgorithm::Rs256));
    let state = param(&authorize, "state");
    let res = browser
        .get(&format!("/sso/{second}/callback?code={code}&state={state}"))
        .await;
    w.assert_refused(res, users).await;
}

#[tokio::test]
async fn an_issuer_mismatch_in_discovery_is_refused_when_saving() {
    let app = spawn_app().await;
    app.become_operator().await;
    let owner = org_with_owner(&app, "acme", "owner@acme-corp.test").await;
    let idp = FakeIdp::start();
    idp.set_discovery_issuer("https://login.evil.example");
    let res = owner
        .post("/o/acme/admin/sso", &connection_fields(&idp.issuer, &[]))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("could not use this identity provider"),
        "{page}"
    );
    assert_eq!(app.count("oidc_connections").await, 0);
}

#[tokio::test]
async fn a_rotated_key_is_fetched_once_and_accepted() {
    let w = world().await;
    let fetches = w.idp.jwks_fetches();
    w.idp.rotate_rsa_key("rsa-2");
    let res = w.sign_in_anew(ada()).await;
    assert_eq!(location(&res), "/o/acme", "the new kid is accepted");
    assert_eq!(w.idp.jwks_fetches(), fetches + 1, "after one refetch");

    // A key nobody publishes: refused, and within the minute the provider is not asked again.
    let users = w.users().await;
    let res = w
        .sign_in(
            &w.app.other_browser(),
            ada(),
            Signing::StrangerKey(SigningAlgorithm::Rs256),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(w.users().await, users);
    assert_eq!(
        w.idp.jwks_fetches(),
        fetches + 1,
        "refetches are rate limited"
    );
}

#[tokio::test]
async fn an_existing_account_is_linked_only_when_the_email_is_vouched_for_and_the_domain_verified()
{
    let w = world().await;
    // Bea has a password account at the organization's domain.
    w.app
        .other_browser()
        .create_verified_user("Bea", "bea@acme-corp.test", PASSWORD)
        .await;
    let mut bea = ada();
    bea["email"] = "bea@acme-corp.test".into();
    bea["sub"] = "bea-at-idp".into();

    let mut unverified = bea.clone();
    unverified["email_verified"] = false.into();
    let res = w.sign_in_anew(unverified).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(page.contains("was not connected"), "explains: {page}");
    assert_eq!(w.identities().await, 0);

    let res = w.sign_in_anew(bea).await;
    assert_eq!(location(&res), "/o/acme");
    assert_eq!(w.identities().await, 1);
    assert_eq!(
        role_of(&w.app, "bea@acme-corp.test").await.as_deref(),
        Some("member")
    );

    // Outside the verified domain an existing account is never linked.
    w.app
        .other_browser()
        .create_verified_user("Cy", "cy@elsewhere.test", PASSWORD)
        .await;
    let mut cy = ada();
    cy["email"] = "cy@elsewhere.test".into();
    cy["sub"] = "cy-at-idp".into();
    let res = w.sign_in_anew(cy).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(w.identities().await, 1);
}

#[tokio::test]
async fn a_disabled_connection_stops_sign_ins_at_once() {
    let w = world().await;
    let users = w.users().await;
    let browser = w.app.other_browser();
    let authorize = w.start(&browser).await;
    let res = w
        .owner
        .post(&format!("/o/acme/admin/sso/{}/disable", w.connection), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let code = w
        .idp
        .approve(&authorize, ada(), Signing::Key(SigningAlgorithm::Rs256));
    let res = w.callback(&browser, &authorize, &code).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("turned off"));
    assert_eq!(w.users().await, users);
    let res = w
        .app
        .other_browser()
        .get(&format!("/sso/{}/start", w.connection))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn without_just_in_time_creation_a_stranger_is_told_to_ask_for_an_invitation() {
    let w = world_with(&[]).await;
    w.app
        .exec("UPDATE oidc_connections SET create_users = 0")
        .await;
    let users = w.users().await;
    let res = w.sign_in_anew(ada()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("invite you"));
    assert_eq!(w.users().await, users);
}

#[tokio::test]
async fn enforced_sso_sends_the_domain_to_the_provider_and_refuses_its_passwords() {
    let w = world_with(&[("enforce_sso", "on")]).await;
    let browser = w.app.other_browser();
    let res = browser
        .post("/login", &[("email", "ada@acme-corp.test")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("http-equiv=\"refresh\""),
        "continues to the provider"
    );
    assert!(page.contains(&format!("{}/authorize?", w.idp.issuer)));
    // The owner's own password account is at the domain too: its password is refused now.
    let res = w
        .app
        .other_browser()
        .post(
            "/login/password",
            &[("email", "owner@acme-corp.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("its own identity provider")
    );
    // Another domain signs in with its password as before.
    let res = w
        .app
        .other_browser()
        .post("/login", &[("email", "olga@example.com")])
        .await;
    assert!(res.text().await.unwrap().contains("Enter your password"));
}

#[tokio::test]
async fn without_enforcement_the_provider_is_offered_beside_the_password() {
    let w = world().await;
    let res = w
        .app
        .other_browser()
        .post("/login", &[("email", "ada@acme-corp.test")])
        .await;
    let page = res.text().await.unwrap();
    assert!(page.contains("Enter your password"));
    assert!(page.contains(&format!("/sso/{}/start", w.connection)));
    assert!(page.contains("Sign in with Acme Login"));
    let page = w.app.other_browser().get_html("/o/acme/login").await;
    assert!(
        page.contains("Sign in with Acme Login"),
        "on the organization's page"
    );
}

#[tokio::test]
async fn a_test_sign_in_shows_the_claims_and_creates_nothing() {
    let w = world().await;
    let users = w.users().await;
    let res = w
        .owner
        .post(&format!("/o/acme/admin/sso/{}/test", w.connection), &[])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    let marker = "content=\"0;url=";
    let start = page.find(marker).unwrap() + marker.len();
    let authorize = page[start..start + page[start..].find('"').unwrap()].replace("&#38;", "&");
    let code = w
        .idp
        .approve(&authorize, ada(), Signing::Key(SigningAlgorithm::Rs256));
    let res = w.callback(&w.owner, &authorize, &code).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report = res.text().await.unwrap();
    assert!(report.contains("Nothing was created"));
    assert!(report.contains("ada@acme-corp.test"));
    assert!(report.contains("engineering"));
    assert_eq!(w.users().await, users);
    assert_eq!(w.identities().await, 0);
}

#[tokio::test]
async fn the_provider_grants_its_own_organization_only() {
    let w = world().await;
    w.app.create_org("Org beta", "beta", "shared", false).await;
    let ada_browser = w.app.other_browser();
    w.sign_in(&ada_browser, ada(), Signing::Key(SigningAlgorithm::Rs256))
        .await;
    assert_eq!(ada_browser.get("/o/acme").await.status(), StatusCode::OK);
    assert_eq!(
        ada_browser.get("/o/beta").await.status(),
        StatusCode::NOT_FOUND
    );
    let memberships: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE u.email = 'ada@acme-corp.test'",
    )
    .fetch_one(w.app.store.pool())
    .await
    .unwrap();
    assert_eq!(memberships, 1);
}

#[tokio::test]
async fn deleting_asks_for_confirmation_and_says_who_depends_on_it() {
    let w = world().await;
    w.sign_in_anew(ada()).await;
    let page = w
        .owner
        .get_html(&format!("/o/acme/admin/sso/{}", w.connection))
        .await;
    assert!(page.contains("1 people sign in through it") || page.contains("1 accounts"));
    assert!(
        page.contains(&format!("/sso/{}/callback", w.connection)),
        "the redirect URI"
    );
    let path = format!("/o/acme/admin/sso/{}/delete", w.connection);
    let res = w.owner.post(&path, &[]).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "asks to confirm"
    );
    assert_eq!(w.app.count("oidc_connections").await, 1);
    let res = w.owner.post(&path, &[("confirm", "yes")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(w.app.count("oidc_connections").await, 0);
    assert_eq!(w.identities().await, 0);
    assert_eq!(role_of(&w.app, "ada@acme-corp.test").await, None);
}

#[tokio::test]
async fn another_organizations_admin_cannot_see_or_change_the_connection() {
    let w = world().await;
    let other = org_with_owner(&w.app, "beta", "owner@beta.test").await;
    let res = other
        .get(&format!("/o/acme/admin/sso/{}", w.connection))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = other
        .get(&format!("/o/beta/admin/sso/{}", w.connection))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = other
        .post(&format!("/o/beta/admin/sso/{}/disable", w.connection), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let enabled: i64 = sqlx::query_scalar("SELECT enabled FROM oidc_connections")
        .fetch_one(w.app.store.pool())
        .await
        .unwrap();
    assert_eq!(enabled, 1);
}

#[tokio::test]
async fn an_application_waiting_for_the_sign_in_gets_the_org_claims_of_the_providers_organization()
{
    use crate::helpers::oidc::{claims, param as url_param};
    use usher::domain::application::{ClientKind, OrgPolicy};
    let w = world().await;
    let client = w
        .app
        .register_client(ClientKind::Confidential, OrgPolicy::Required)
        .await;
    let browser = w.app.other_browser();
    let res = browser.authorize(&client, &[]).await;
    assert_eq!(location(&res), "/login", "asked to sign in");
    let res = w
        .sign_in(&browser, ada(), Signing::Key(SigningAlgorithm::Rs256))
        .await;
    assert_eq!(location(&res), "/oauth/authorize/continue");
    let back = browser.continued().await.replace("&#38;", "&");
    assert_eq!(url_param(&back, "state").as_deref(), Some("the-state"));
    let code = url_param(&back, "code").unwrap();
    let tokens: Value = browser
        .exchange(&client, &code, None)
        .await
        .json()
        .await
        .unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["org_id"], w.app.org_id("acme").await);
    assert_eq!(id_token["org_role"], "member");
    assert_eq!(id_token["email"], "ada@acme-corp.test");
    assert_eq!(id_token["nonce"], "the-nonce");
}

#[tokio::test]
async fn the_providers_back_channel_logout_ends_the_sessions_it_names() {
    let w = world().await;
    let ada_browser = w.app.other_browser();
    w.sign_in(&ada_browser, ada(), Signing::Key(SigningAlgorithm::Rs256))
        .await;
    assert!(ada_browser.is_signed_in().await);
    let endpoint = w
        .app
        .url(&format!("/sso/{}/backchannel-logout", w.connection));
    let post = |token: String| {
        let endpoint = endpoint.clone();
        async move {
            reqwest::Client::new()
                .post(endpoint)
                .form(&[("logout_token", token)])
                .send()
                .await
                .unwrap()
        }
    };
    // Tokens that must not sign anyone out.
    for (claims, signing) in [
        (
            json!({"aud": "someone-else"}),
            Signing::Key(SigningAlgorithm::Rs256),
        ),
        (
            json!({"iss": "https://evil.example"}),
            Signing::Key(SigningAlgorithm::Rs256),
        ),
        (json!({"nonce": "n"}), Signing::Key(SigningAlgorithm::Rs256)),
        (json!({"events": {}}), Signing::Key(SigningAlgorithm::Rs256)),
        (
            json!({"sub": null, "sid": null}),
            Signing::Key(SigningAlgorithm::Rs256),
        ),
        (
            json!({"iat": usher::store::now() - 3600}),
            Signing::Key(SigningAlgorithm::Rs256),
        ),
        (json!({}), Signing::Unsigned),
        (json!({}), Signing::HmacWithPublicKey),
        (json!({}), Signing::Corrupted(SigningAlgorithm::Es256)),
    ] {
        let res = post(w.idp.logout_token(claims.clone(), signing)).await;
        assert_eq!(
            res.status(),
            StatusCode::BAD_REQUEST,
            "{claims} {signing:?}"
        );
        assert!(ada_browser.is_signed_in().await, "{claims} {signing:?}");
    }
    // Another provider session: nobody of it is here.
    let res = post(w.idp.logout_token(
        json!({"sid": "another-session"}),
        Signing::Key(SigningAlgorithm::Es256),
    ))
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(ada_browser.is_signed_in().await);

    let res = post(
        w.idp
            .logout_token(json!({}), Signing::Key(SigningAlgorithm::Es256)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        !ada_browser.is_signed_in().await,
        "signed out by the provider"
    );
}

#[tokio::test]
async fn signing_out_offers_to_sign_out_at_the_provider_too() {
    let w = world().await;
    let ada_browser = w.app.other_browser();
    w.sign_in(&ada_browser, ada(), Signing::Key(SigningAlgorithm::Rs256))
        .await;
    let res = ada_browser.sign_out().await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("Also sign out of Acme Login"), "{page}");
    let link = format!("{}/logout?id_token_hint=", w.idp.issuer);
    assert!(page.contains(&link), "{page}");
    assert!(!ada_browser.is_signed_in().await);
    // A password sign-in signs out as before.
    let res = w.owner.sign_out().await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_provider_that_hangs_or_answers_too_much_fails_the_sign_in_plainly() {
    let w = world().await;
    let users = w.users().await;
    w.idp.set_userinfo(json!({"padding": "x".repeat(300_000)}));
    let res = w.sign_in_anew(ada()).await;
    w.assert_refused(res, users).await;

    w.idp.set_userinfo(json!({}));
    w.idp.hang_token_endpoint();
    let started = std::time::Instant::now();
    let res = w.sign_in_anew(ada()).await;
    w.assert_refused(res, users).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "answered in seconds"
    );
    let error: Option<String> = sqlx::query_scalar("SELECT last_error FROM oidc_connections")
        .fetch_one(w.app.store.pool())
        .await
        .unwrap();
    assert!(
        error.is_some_and(|e| e.contains("token request")),
        "the connection shows the error"
    );
}

#[tokio::test]
async fn a_sign_in_through_the_provider_opens_its_organization_and_no_other() {
    use crate::helpers::oidc::claims;
    use usher::domain::Role;
    use usher::domain::application::{ClientKind, OrgPolicy};
    let w = world().await;
    // Bea signs in with a password, and belongs to beta as well as acme.
    w.app.create_org("Org beta", "beta", "shared", false).await;
    w.app
        .other_browser()
        .create_verified_user("Bea", "bea@acme-corp.test", PASSWORD)
        .await;
    w.app
        .add_member("beta", "bea@acme-corp.test", Role::Owner)
        .await;
    let mut bea = ada();
    bea["email"] = "bea@acme-corp.test".into();
    bea["sub"] = "bea-at-idp".into();

    // Through acme's provider (linked: the domain is acme's), she is in acme, and only there.
    let browser = w.app.other_browser();
    let res = w
        .sign_in(&browser, bea, Signing::Key(SigningAlgorithm::Rs256))
        .await;
    assert_eq!(location(&res), "/o/acme");
    assert_eq!(browser.get("/o/acme").await.status(), StatusCode::OK);
    let res = browser.get("/o/beta").await;
    assert_eq!(
        location(&res),
        "/o/beta/login",
        "beta asks her to sign in there"
    );
    let picker = browser.get_html("/orgs").await;
    assert!(
        picker.contains("Org acme") && !picker.contains("Org beta"),
        "{picker}"
    );
    let client = w
        .app
        .register_client(ClientKind::Confidential, OrgPolicy::Required)
        .await;
    let res = browser
        .authorize(&client, &[("organization", "beta")])
        .await;
    assert!(
        location(&res).contains("error=access_denied"),
        "{}",
        location(&res)
    );
    let res = browser.authorize(&client, &[]).await;
    let code = crate::helpers::oidc::param(&location(&res), "code").expect("acme, at once");
    let tokens: Value = browser
        .exchange(&client, &code, None)
        .await
        .json()
        .await
        .unwrap();
    let id_token = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["org_id"], w.app.org_id("acme").await);

    // With her password she opens beta as before.
    let with_password = w.app.other_browser();
    with_password.sign_in("bea@acme-corp.test", PASSWORD).await;
    assert_eq!(with_password.get("/o/beta").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_sign_in_started_on_one_instance_finishes_on_another() {
    let w = world().await;
    let public = url::Url::parse(&w.app.address).unwrap();
    let b =
        crate::helpers::spawn_on(w.app.db(), |settings| settings.public_url = Some(public)).await;
    let browser = w.app.other_browser();
    let authorize = w.start(&browser).await;
    let code = w
        .idp
        .approve(&authorize, ada(), Signing::Key(SigningAlgorithm::Rs256));
    // The provider's redirect reaches the other instance, with the browser's cookies.
    let state = param(&authorize, "state");
    let res = browser
        .client
        .get(b.url(&format!(
            "/sso/{}/callback?code={code}&state={state}",
            w.connection
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/o/acme");
    assert_eq!(w.identities().await, 1);
}

#[tokio::test]
async fn a_provider_an_admin_set_up_never_takes_over_an_owners_account() {
    let w = world().await;
    w.app
        .exec("UPDATE oidc_connections SET managed_by_role = 'admin'")
        .await;
    let mut owner = ada();
    owner["email"] = "owner@acme-corp.test".into();
    owner["sub"] = "the-owner-perhaps".into();
    let res = w.sign_in_anew(owner).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(w.identities().await, 0, "not linked");
}

#[tokio::test]
async fn another_provider_behind_the_same_connection_knows_none_of_the_old_ones_people() {
    let w = world().await;
    w.sign_in_anew(ada()).await;
    assert_eq!(w.identities().await, 1);
    let other = FakeIdp::start();
    let path = format!("/o/acme/admin/sso/{}", w.connection);
    let res = w
        .owner
        .post(&path, &connection_fields(&other.issuer, &[]))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        w.identities().await,
        0,
        "a sub of the new provider is nobody yet"
    );
}

#[tokio::test]
async fn the_providers_groups_never_demote_an_owner() {
    let w = world().await;
    // Ida, the owner, signs in through the provider (her account is linked), in no group
    // that maps to owner.
    let mut ida = ada();
    ida["email"] = "owner@acme-corp.test".into();
    ida["sub"] = "ida-at-idp".into();
    let res = w.sign_in_anew(ida).await;
    assert_eq!(location(&res), "/o/acme");
    assert_eq!(
        role_of(&w.app, "owner@acme-corp.test").await.as_deref(),
        Some("owner")
    );
}
