//! An organization's identity provider, as a small OpenID Provider on 127.0.0.1 that signs
//! what each test tells it to: the tokens a real provider would, and the ones an attacker
//! would (a wrong issuer or audience, a missing claim, a bad signature, `alg: none`, HS256
//! keyed with the public key, a stale nonce, an expired token, a userinfo answer for someone
//! else). A fake on purpose: no real provider can be made to sign these. The browser suite
//! runs against a real one (panva's oidc-provider).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use usher::domain::signing_key::SigningAlgorithm;
use usher::signing::{Signer, generate_pem, public_jwk};

pub const CLIENT_ID: &str = "usher-at-acme";
pub const CLIENT_SECRET: &str = "idp-client-secret";

/// How the next ID token is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// By the current key of this algorithm, as a provider does.
    Key(SigningAlgorithm),
    /// By a key the provider does not publish.
    StrangerKey(SigningAlgorithm),
    /// A valid signature with one byte changed.
    Corrupted(SigningAlgorithm),
    /// `alg: none`, no signature.
    Unsigned,
    /// HS256 keyed with the published RSA public key (PEM), the algorithm-confusion attack.
    HmacWithPublicKey,
}

struct Key {
    kid: String,
    algorithm: SigningAlgorithm,
    pem: String,
}

impl Key {
    fn new(kid: &str, algorithm: SigningAlgorithm) -> Self {
        Self {
            kid: kid.to_owned(),
            algorithm,
            pem: generate_pem(algorithm).unwrap(),
        }
    }

    fn jwk(&self) -> Value {
        public_jwk(&self.pem, &self.kid, self.algorithm).unwrap()
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        Signer::open(&self.pem, &self.kid, self.algorithm, &self.jwk())
            .unwrap()
            .sign_bytes(message)
            .unwrap()
    }
}

/// A code the provider issued, and what its exchange answers.
struct Grant {
    challenge: String,
    nonce: String,
    claims: Value,
    signing: Signing,
}

struct State {
    base: String,
    /// The issuer the discovery document names (the real one unless a test changes it).
    discovery_issuer: String,
    keys: Vec<Key>,
    grants: HashMap<String, Grant>,
    /// Claims the userinfo endpoint answers with, over `sub`.
    userinfo: Value,
    userinfo_sub: Option<String>,
    /// The forms the token endpoint received.
    token_requests: Vec<HashMap<String, String>>,
    jwks_fetches: usize,
    /// The token endpoint takes this long to answer (a provider that hangs).
    token_delay: std::time::Duration,
}

#[derive(Clone)]
pub struct FakeIdp {
    pub issuer: String,
    state: Arc<Mutex<State>>,
}

impl FakeIdp {
    /// Starts a provider with one RS256 and one ES256 key.
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let state = Arc::new(Mutex::new(State {
            base: base.clone(),
            discovery_issuer: base.clone(),
            keys: vec![
                Key::new("rsa-1", SigningAlgorithm::Rs256),
                Key::new("ec-1", SigningAlgorithm::Es256),
            ],
            grants: HashMap::new(),
            userinfo: json!({}),
            userinfo_sub: None,
            token_requests: Vec::new(),
            jwks_fetches: 0,
            token_delay: std::time::Duration::ZERO,
        }));
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(discovery),
                )
                .route("/jwks", web::get().to(jwks))
                .route("/token", web::post().to(token))
                .route("/userinfo", web::get().to(userinfo))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            issuer: base,
            state,
        }
    }

    /// The person signs in at the provider, which redirects back with a code for the request
    /// at `authorize_url`; its exchange answers an ID token with `claims` over the usual
    /// ones, signed as `signing` says.
    pub fn approve(&self, authorize_url: &str, claims: Value, signing: Signing) -> String {
        let url = url::Url::parse(authorize_url).unwrap();
        let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["code_challenge_method"], "S256", "PKCE S256 always");
        assert_eq!(query["client_id"], CLIENT_ID);
        let code = format!("code-{}", rand_hex());
        self.state.lock().unwrap().grants.insert(
            code.clone(),
            Grant {
                challenge: query["code_challenge"].clone(),
                nonce: query["nonce"].clone(),
                claims,
                signing,
            },
        );
        code
    }

    /// Names another issuer in the discovery document from now on.
    pub fn set_discovery_issuer(&self, issuer: &str) {
        self.state.lock().unwrap().discovery_issuer = issuer.to_owned();
    }

    /// Userinfo answers for another subject from now on.
    pub fn set_userinfo_sub(&self, sub: &str) {
        self.state.lock().unwrap().userinfo_sub = Some(sub.to_owned());
    }

    pub fn set_userinfo(&self, claims: Value) {
        self.state.lock().unwrap().userinfo = claims;
    }

    /// Replaces the RS256 key with a new one under a new `kid` (a key rotation).
    pub fn rotate_rsa_key(&self, kid: &str) {
        let mut state = self.state.lock().unwrap();
        state
            .keys
            .retain(|key| key.algorithm != SigningAlgorithm::Rs256);
        state.keys.push(Key::new(kid, SigningAlgorithm::Rs256));
    }

    /// The token endpoint hangs for a minute before answering from now on.
    pub fn hang_token_endpoint(&self) {
        self.state.lock().unwrap().token_delay = std::time::Duration::from_secs(60);
    }

    /// A back-channel logout token for `sub` and `sid`, with `claims` over the usual ones.
    pub fn logout_token(&self, claims: Value, signing: Signing) -> String {
        let state = self.state.lock().unwrap();
        let mut token = json!({
            "iss": state.base,
            "aud": CLIENT_ID,
            "iat": usher::store::now(),
            "jti": rand_hex(),
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
            "sub": "ada-at-idp",
            "sid": "idp-session-1",
        });
        for (name, value) in claims.as_object().unwrap() {
            if value.is_null() {
                token.as_object_mut().unwrap().remove(name);
            } else {
                token[name] = value.clone();
            }
        }
        sign(&state, &token, signing)
    }

    pub fn token_requests(&self) -> Vec<HashMap<String, String>> {
        self.state.lock().unwrap().token_requests.clone()
    }

    pub fn jwks_fetches(&self) -> usize {
        self.state.lock().unwrap().jwks_fetches
    }
}

fn rand_hex() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn discovery(state: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    let state = state.lock().unwrap();
    let base = &state.base;
    HttpResponse::Ok().json(json!({
        "issuer": state.discovery_issuer,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "jwks_uri": format!("{base}/jwks"),
        "end_session_endpoint": format!("{base}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(state: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    let mut state = state.lock().unwrap();
    state.jwks_fetches += 1;
    let keys: Vec<Value> = state.keys.iter().map(Key::jwk).collect();
    HttpResponse::Ok().json(json!({ "keys": keys }))
}

fn oauth_error(status: u16, error: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .json(json!({ "error": error }))
}

async fn token(
    req: HttpRequest,
    state: web::Data<Arc<Mutex<State>>>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let form = form.into_inner();
    let delay = state.lock().unwrap().token_delay;
    tokio::time::sleep(delay).await;
    let mut state = state.lock().unwrap();
    state.token_requests.push(form.clone());
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let authorized = req
        .headers()
        .get("authorization")
        .is_some_and(|value| value.to_str().ok() == Some(basic.as_str()));
    if !authorized {
        return oauth_error(401, "invalid_client");
    }
    // A code is used once, as a real provider's.
    let Some(grant) = form.get("code").and_then(|code| state.grants.remove(code)) else {
        return oauth_error(400, "invalid_grant");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return oauth_error(400, "invalid_grant");
    }
    let now = usher::store::now();
    let mut claims = json!({
        "iss": state.base,
        "sub": "ada-at-idp",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": grant.nonce,
        "sid": "idp-session-1",
    });
    for (name, value) in grant.claims.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    let id_token = sign(&state, &claims, grant.signing);
    let access_token = format!("at-{}", claims["sub"].as_str().unwrap_or("none"));
    HttpResponse::Ok().json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
}

async fn userinfo(req: HttpRequest, state: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    let state = state.lock().unwrap();
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer at-"))
        .map(str::to_owned);
    let Some(sub) = bearer else {
        return HttpResponse::Unauthorized().finish();
    };
    let mut answer = state.userinfo.clone();
    answer["sub"] = state.userinfo_sub.clone().unwrap_or(sub).into();
    HttpResponse::Ok().json(answer)
}

fn sign(state: &State, claims: &Value, signing: Signing) -> String {
    let key_of = |algorithm: SigningAlgorithm| {
        state
            .keys
            .iter()
            .find(|key| key.algorithm == algorithm)
            .unwrap()
    };
    let (alg, kid) = match signing {
        Signing::Key(a) | Signing::Corrupted(a) => (a.as_str(), Some(key_of(a).kid.clone())),
        Signing::StrangerKey(a) => (a.as_str(), Some("stranger".to_owned())),
        Signing::Unsigned => ("none", None),
        Signing::HmacWithPublicKey => ("HS256", Some(key_of(SigningAlgorithm::Rs256).kid.clone())),
    };
    let mut header = json!({ "alg": alg, "typ": "JWT" });
    if let Some(kid) = kid {
        header["kid"] = kid.into();
    }
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = match signing {
        Signing::Key(a) => key_of(a).sign(input.as_bytes()),
        Signing::Corrupted(a) => {
            let mut signature = key_of(a).sign(input.as_bytes());
            signature[10] ^= 0x01;
            signature
        }
        Signing::StrangerKey(a) => Key::new("stranger", a).sign(input.as_bytes()),
        Signing::Unsigned => Vec::new(),
        Signing::HmacWithPublicKey => {
            let pem = rsa_public_pem(&key_of(SigningAlgorithm::Rs256).pem);
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(pem.as_bytes()).unwrap();
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The public half of an RSA private key, as the PEM anyone can download.
fn rsa_public_pem(private_pem: &str) -> String {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(private_pem).unwrap();
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap()
}
