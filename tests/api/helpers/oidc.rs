//! Driving Usher as a relying party would: registering an application, the authorization
//! request, the token endpoint, and reading what comes back.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use usher::domain::application::{AppName, ClientKind, NewApplication, OrgPolicy, RedirectUri};
use usher::domain::audit::Actor;
use usher::domain::signing_key::SigningAlgorithm;
use usher::domain::{Role, User};
use usher::services::applications;
use usher::store::{memberships, organizations, users};

use super::{PASSWORD, TestApp, location};

pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
pub const POST_LOGOUT_URI: &str = "http://127.0.0.1:9/signed-out";

/// A registered application, as its developers hold it.
#[derive(Clone, Debug)]
pub struct Client {
    pub client_id: String,
    pub secret: Option<String>,
}

/// A PKCE pair: the verifier the client keeps and the S256 challenge it sends.
pub fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(rand_bytes());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn rand_bytes() -> [u8; 32] {
    rand::random()
}

/// A parameter of a URL's query.
pub fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The claims of a JWT, unverified (the tests that verify do so with the JWKS).
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn header(jwt: &str) -> Value {
    let header = jwt.split('.').next().expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

/// Where a page that continues with a meta refresh goes.
pub fn meta_refresh_target(html: &str) -> Option<String> {
    let start = html.find("content=\"0;url=")? + "content=\"0;url=".len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// The usual test application: one redirect URI, one post-logout URI, RS256.
pub fn new_app(kind: ClientKind, organizations: OrgPolicy) -> NewApplication {
    NewApplication {
        name: AppName::parse("Product").unwrap(),
        kind,
        organizations,
        redirect_uris: vec![RedirectUri::parse(REDIRECT_URI).unwrap()],
        post_logout_redirect_uris: vec![RedirectUri::parse(POST_LOGOUT_URI).unwrap()],
        initiate_login_uri: None,
        backchannel_logout_uri: None,
        signing_algorithm: SigningAlgorithm::Rs256,
        deployment_default: false,
    }
}

impl TestApp {
    pub async fn register_client(&self, kind: ClientKind, organizations: OrgPolicy) -> Client {
        self.register_app(new_app(kind, organizations)).await
    }

    pub async fn register_app(&self, new: NewApplication) -> Client {
        let (registered, secret) = applications::register(&self.store, &Actor::default(), &new)
            .await
            .unwrap();
        Client {
            client_id: registered.client_id.to_string(),
            secret: secret.map(|s| s.as_str().to_owned()),
        }
    }

    /// `GET /oauth/authorize` with the usual parameters, `extra` added or replacing them.
    pub async fn authorize(&self, client: &Client, extra: &[(&str, &str)]) -> Response {
        let mut params: Vec<(&str, &str)> = vec![
            ("client_id", &client.client_id),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", "openid email profile"),
            ("state", "the-state"),
            ("nonce", "the-nonce"),
        ];
        for (name, value) in extra {
            params.retain(|(n, _)| n != name);
            params.push((name, value));
        }
        self.client
            .get(self.url("/oauth/authorize"))
            .query(&params)
            .send()
            .await
            .unwrap()
    }

    /// Follows an authorization request through sign-in to the application's redirect URI;
    /// the URL the application gets back.
    pub async fn authorize_signing_in(
        &self,
        client: &Client,
        extra: &[(&str, &str)],
        email: &str,
    ) -> String {
        let res = self.authorize(client, extra).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "to sign-in");
        let login = location(&res);
        let res = if let Some(slug) = login.strip_prefix("/o/").and_then(|l| l.split('/').next()) {
            self.sign_in_at(slug, email, PASSWORD).await
        } else {
            self.sign_in(email, PASSWORD).await
        };
        assert_eq!(location(&res), "/oauth/authorize/continue");
        self.continued().await
    }

    /// The application's URL that `/oauth/authorize/continue` sends the browser to.
    pub async fn continued(&self) -> String {
        let html = self.get_html("/oauth/authorize/continue").await;
        meta_refresh_target(&html).unwrap_or_else(|| panic!("no meta refresh in {html}"))
    }

    /// The token endpoint, as a server-side client calls it (no cookies), with Basic auth
    /// when the client has a secret.
    pub async fn token(&self, client: &Client, form: &[(&str, &str)]) -> Response {
        let http = reqwest::Client::new();
        let mut req = http.post(self.url("/oauth/token"));
        let mut form = form.to_vec();
        match &client.secret {
            Some(secret) => req = req.basic_auth(&client.client_id, Some(secret)),
            None => form.push(("client_id", &client.client_id)),
        }
        req.form(&form).send().await.unwrap()
    }

    /// Exchanges a code for tokens; the JSON answer.
    pub async fn exchange(&self, client: &Client, code: &str, verifier: Option<&str>) -> Response {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier));
        }
        self.token(client, &form).await
    }

    pub async fn refresh(&self, client: &Client, refresh_token: &str) -> Response {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        self.token(client, &form).await
    }

    pub async fn userinfo(&self, access_token: &str) -> Response {
        reqwest::Client::new()
            .get(self.url("/oauth/userinfo"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
    }

    pub async fn user_by_email(&self, email: &str) -> User {
        let email = usher::domain::Email::parse(email).unwrap();
        users::find_by_email(
            self.store.pool(),
            &usher::domain::ConnectionId::default_password(),
            &email,
        )
        .await
        .unwrap()
        .expect("user")
    }

    /// Makes `email` a member of the organization `slug` with `role`.
    pub async fn add_member(&self, slug: &str, email: &str, role: Role) {
        let org = organizations::find_by_slug(self.store.pool(), slug)
            .await
            .unwrap()
            .expect("organization");
        let user = self.user_by_email(email).await;
        memberships::insert(self.store.pool(), &org.id, &user, role)
            .await
            .unwrap();
    }

    pub async fn org_id(&self, slug: &str) -> String {
        organizations::find_by_slug(self.store.pool(), slug)
            .await
            .unwrap()
            .expect("organization")
            .id
            .as_str()
            .to_owned()
    }
}

/// True when `jwt` verifies with a key the JWKS publishes for its `kid`, checked by
/// openidconnect's own verifier as a relying party would.
pub async fn verifies_with_jwks(app: &TestApp, jwt: &str) -> bool {
    use openidconnect::JsonWebKey;
    use openidconnect::core::{CoreJsonWebKey, CoreJwsSigningAlgorithm};
    let jwks: Value = app.get("/oauth/jwks").await.json().await.unwrap();
    let head = header(jwt);
    let Some(key) = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == head["kid"])
    else {
        return false;
    };
    let key: CoreJsonWebKey = serde_json::from_value(key.clone()).unwrap();
    let alg: CoreJwsSigningAlgorithm = serde_json::from_value(head["alg"].clone()).unwrap();
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    key.verify_signature(&alg, input.as_bytes(), &signature)
        .is_ok()
}
