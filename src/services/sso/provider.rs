//! An organization's identity provider as Usher speaks to it, through `openidconnect`: its
//! discovery document and keys, the authorization request, and the code exchange with the
//! checks of OpenID Connect Core §3.1.3.7 on the ID token it returns.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGrantType, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKey,
    CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
    CoreTokenResponse,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthType, AuthorizationCode, ClaimsVerificationError, ClientId,
    ClientSecret, CsrfToken, IssuerUrl, JsonWebKey, JsonWebKeySetUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, ProviderMetadata, RedirectUrl, Scope,
    SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::http::{IdpClient, send};

/// What Usher reads from a discovery document beyond the core fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraMetadata {
    /// RP-initiated logout at the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<Url>,
    /// RFC 9207: the provider puts `iss` in its authorization responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
}

impl AdditionalProviderMetadata for ExtraMetadata {}

pub type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// The signature algorithms Usher accepts on ID tokens: asymmetric ones only, so neither
/// `none` nor an HMAC keyed with something public can pass.
const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// How far the provider's clock may be from Usher's, in seconds.
const CLOCK_LEEWAY_SECS: i64 = 60;

/// Why talking to the provider failed: the precise reason, for the log and the connection's
/// page (never for the person signing in).
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the issuer is not a URL: {0}")]
    BadIssuer(String),
    #[error("discovery failed: {0}")]
    Discovery(String),
    #[error("fetching the key set failed: {0}")]
    Keys(String),
    #[error("the token request failed: {0}")]
    Token(String),
    #[error("the token response has no ID token")]
    NoIdToken,
    /// The ID token names a key the stored key set does not have: worth one refetch.
    #[error("the ID token is signed with a key not in the provider's key set")]
    UnknownKey,
    #[error("the ID token was refused: {0}")]
    IdToken(String),
    #[error("the userinfo request failed: {0}")]
    UserInfo(String),
    #[error("the userinfo answer is for another subject than the ID token")]
    UserInfoSubject,
}

/// A provider's discovery document and key set, as fetched when its connection is saved.
pub struct Discovered {
    pub metadata: Metadata,
    pub jwks: CoreJsonWebKeySet,
}

/// Fetches `issuer`'s discovery document (refused when it names another issuer) and its keys.
pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<Discovered, ProviderError> {
    let issuer = IssuerUrl::new(issuer.to_owned())
        .map_err(|err| ProviderError::BadIssuer(err.to_string()))?;
    let metadata = Metadata::discover_async(issuer, &IdpClient(http))
        .await
        .map_err(|err| ProviderError::Discovery(error_chain(&err)))?;
    let jwks = metadata.jwks().clone();
    Ok(Discovered { metadata, jwks })
}

/// Fetches the key set again (a key the stored one lacks: the provider rotated).
pub async fn fetch_keys(
    http: &reqwest::Client,
    metadata: &Metadata,
) -> Result<CoreJsonWebKeySet, ProviderError> {
    fetch_keys_at(http, metadata.jwks_uri()).await
}

async fn fetch_keys_at(
    http: &reqwest::Client,
    url: &JsonWebKeySetUrl,
) -> Result<CoreJsonWebKeySet, ProviderError> {
    CoreJsonWebKeySet::fetch_async(url, &IdpClient(http))
        .await
        .map_err(|err| ProviderError::Keys(error_chain(&err)))
}

/// The provider's side of one connection: its metadata and keys, and Usher's client there.
pub struct Provider {
    pub metadata: Metadata,
    pub jwks: CoreJsonWebKeySet,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: Url,
}

/// What the browser is sent to the provider with, and what Usher keeps to check the answer.
pub struct AuthorizationStart {
    pub url: Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The person as the provider vouched for them.
pub struct Verified {
    pub subject: String,
    /// The ID token's claims with the userinfo answer's over them.
    pub claims: Map<String, Value>,
    /// The provider's session id (`sid`), which its back-channel logout names.
    pub idp_sid: Option<String>,
    /// The ID token itself, for `id_token_hint` when signing out at the provider.
    pub id_token: String,
}

impl Provider {
    fn client(
        &self,
    ) -> CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        let client = CoreClient::from_provider_metadata(
            core_metadata(&self.metadata, &self.jwks),
            ClientId::new(self.client_id.clone()),
            Some(ClientSecret::new(self.client_secret.clone())),
        )
        .set_redirect_uri(RedirectUrl::from_url(self.redirect_uri.clone()));
        // Basic authentication unless the provider only takes the secret in the body.
        let methods = self.metadata.token_endpoint_auth_methods_supported();
        let post_only = methods.is_some_and(|methods| {
            methods.contains(&CoreClientAuthMethod::ClientSecretPost)
                && !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
        });
        if post_only {
            client.set_auth_type(AuthType::RequestBody)
        } else {
            client
        }
    }

    /// The authorization request: code flow, PKCE S256, a fresh state and nonce.
    pub fn start(&self, scopes: &[String]) -> AuthorizationStart {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self.client();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in scopes.iter().filter(|scope| *scope != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        AuthorizationStart {
            url,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        }
    }

    /// Exchanges `code` (with the PKCE verifier) at the token endpoint.
    pub async fn exchange(
        &self,
        http: &reqwest::Client,
        code: String,
        pkce_verifier: String,
    ) -> Result<CoreTokenResponse, ProviderError> {
        self.client()
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|err| ProviderError::Token(err.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&IdpClient(http))
            .await
            .map_err(|err| ProviderError::Token(error_chain(&err)))
    }

    /// Checks the response's ID token (signature by a key of the provider's set, an allowed
    /// algorithm, issuer, audience, authorized party, expiry, issue time, nonce), then reads
    /// userinfo, whose subject must be the ID token's.
    pub async fn verified(
        &self,
        http: &reqwest::Client,
        response: &CoreTokenResponse,
        nonce: &str,
    ) -> Result<Verified, ProviderError> {
        let id_token = response.id_token().ok_or(ProviderError::NoIdToken)?;
        let claims = self.verify(id_token, nonce)?;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::IdToken("no sub".into()))?
            .to_owned();
        let idp_sid = claims.get("sid").and_then(Value::as_str).map(str::to_owned);
        let mut verified = Verified {
            subject,
            claims,
            idp_sid,
            id_token: id_token.to_string(),
        };
        if let Some(endpoint) = self.metadata.userinfo_endpoint() {
            let access_token = response.access_token().secret();
            let info = user_info(http, endpoint.url(), access_token).await?;
            if info.get("sub").and_then(Value::as_str) != Some(verified.subject.as_str()) {
                return Err(ProviderError::UserInfoSubject);
            }
            verified.claims.extend(info);
        }
        Ok(verified)
    }

    /// The ID token's claims, once every check has passed.
    fn verify(
        &self,
        id_token: &CoreIdToken,
        nonce: &str,
    ) -> Result<Map<String, Value>, ProviderError> {
        let issuer = self.metadata.issuer().clone();
        let verifier = CoreIdTokenVerifier::new_public_client(
            ClientId::new(self.client_id.clone()),
            issuer,
            self.jwks.clone(),
        )
        .set_allowed_algs(ALLOWED_ALGS)
        .set_time_fn(|| chrono::Utc::now() - chrono::Duration::seconds(CLOCK_LEEWAY_SECS))
        .set_issue_time_verifier_fn(|issued| {
            let latest = chrono::Utc::now() + chrono::Duration::seconds(CLOCK_LEEWAY_SECS);
            if issued > latest {
                Err(format!("issued in the future ({issued})"))
            } else {
                Ok(())
            }
        });
        match id_token.claims(&verifier, &Nonce::new(nonce.to_owned())) {
            Ok(_) => {}
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => return Err(ProviderError::UnknownKey),
            Err(err) => return Err(ProviderError::IdToken(err.to_string())),
        }
        // The signature held, so the payload is the provider's: read every claim from it.
        let token = id_token.to_string();
        let claims = token
            .split('.')
            .nth(1)
            .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
            .and_then(|json| serde_json::from_slice::<Map<String, Value>>(&json).ok())
            .ok_or_else(|| ProviderError::IdToken("the payload is not a JSON object".into()))?;
        // OIDC Core §3.1.3.7 step 5: an authorized party must be this client.
        if let Some(azp) = claims.get("azp")
            && azp.as_str() != Some(self.client_id.as_str())
        {
            return Err(ProviderError::IdToken(format!(
                "azp is {azp}, not this client"
            )));
        }
        Ok(claims)
    }
}

/// What a provider's back-channel logout token names: its subject, its session, or both.
pub struct LogoutClaims {
    pub subject: Option<String>,
    pub idp_sid: Option<String>,
}

/// The event a logout token must carry (OpenID Connect Back-Channel Logout 1.0 §2.4).
const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

impl Provider {
    /// Checks a back-channel logout token as §2.6 says: signed by a key of the provider's
    /// set with an allowed algorithm, this issuer, this client among its audiences, issued
    /// lately, the logout event, a `sub` or `sid`, and no `nonce`.
    pub fn verify_logout_token(&self, token: &str) -> Result<LogoutClaims, ProviderError> {
        let refused = |why: &str| ProviderError::IdToken(format!("logout token: {why}"));
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(refused("not a signed JWT"));
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| refused("not base64url"))
        };
        let header: Map<String, Value> =
            serde_json::from_slice(&decode(header_b64)?).map_err(|_| refused("bad header"))?;
        let alg: CoreJwsSigningAlgorithm = header
            .get("alg")
            .cloned()
            .and_then(|alg| serde_json::from_value(alg).ok())
            .filter(|alg| ALLOWED_ALGS.contains(alg))
            .ok_or_else(|| refused("the algorithm is not allowed"))?;
        let kid = header.get("kid").and_then(Value::as_str);
        let candidates: Vec<&CoreJsonWebKey> = self
            .jwks
            .keys()
            .iter()
            .filter(|key| kid.is_none() || key.key_id().map(|id| id.as_str()) == kid)
            .collect();
        if candidates.is_empty() {
            return Err(ProviderError::UnknownKey);
        }
        // What was signed: the header and payload as sent, with the dot between them.
        let message = &token.as_bytes()[..header_b64.len() + payload_b64.len() + 1];
        let signature = decode(signature)?;
        if !candidates
            .iter()
            .any(|key| key.verify_signature(&alg, message, &signature).is_ok())
        {
            return Err(refused("the signature does not verify"));
        }
        let claims: Map<String, Value> =
            serde_json::from_slice(&decode(payload_b64)?).map_err(|_| refused("bad payload"))?;
        if claims.get("iss").and_then(Value::as_str) != Some(self.metadata.issuer().as_str()) {
            return Err(refused("another issuer"));
        }
        let audience = match claims.get("aud") {
            Some(Value::String(aud)) => aud == &self.client_id,
            Some(Value::Array(auds)) => {
                auds.iter().any(|aud| aud.as_str() == Some(&self.client_id))
            }
            _ => false,
        };
        if !audience {
            return Err(refused("not for this client"));
        }
        let now = chrono::Utc::now().timestamp();
        let issued = claims.get("iat").and_then(Value::as_i64);
        if !issued.is_some_and(|iat| iat <= now + CLOCK_LEEWAY_SECS && iat >= now - 600) {
            return Err(refused("no recent iat"));
        }
        if claims
            .get("exp")
            .and_then(Value::as_i64)
            .is_some_and(|exp| exp < now - CLOCK_LEEWAY_SECS)
        {
            return Err(refused("expired"));
        }
        let has_event = claims
            .get("events")
            .and_then(Value::as_object)
            .is_some_and(|events| events.contains_key(LOGOUT_EVENT));
        if !has_event || claims.contains_key("nonce") {
            return Err(refused("not a logout event"));
        }
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let logout = LogoutClaims {
            subject: text("sub"),
            idp_sid: text("sid"),
        };
        if logout.subject.is_none() && logout.idp_sid.is_none() {
            return Err(refused("neither sub nor sid"));
        }
        Ok(logout)
    }

    /// Where to send the person to sign out at the provider too (RP-initiated logout), when
    /// it publishes an end-session endpoint.
    pub fn end_session_url(&self, id_token: &str, after: &str) -> Option<Url> {
        let mut url = self
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        url.query_pairs_mut()
            .append_pair("id_token_hint", id_token)
            .append_pair("client_id", &self.client_id)
            .append_pair("post_logout_redirect_uri", after);
        Some(url)
    }
}

/// `metadata` as the core client takes it, with `jwks` as its keys.
fn core_metadata(metadata: &Metadata, jwks: &CoreJsonWebKeySet) -> Metadata {
    metadata.clone().set_jwks(jwks.clone())
}

/// The userinfo endpoint's JSON answer for `access_token`.
async fn user_info(
    http: &reqwest::Client,
    endpoint: &Url,
    access_token: &str,
) -> Result<Map<String, Value>, ProviderError> {
    let request = openidconnect::http::Request::builder()
        .method(openidconnect::http::Method::GET)
        .uri(endpoint.as_str())
        .header("authorization", format!("Bearer {access_token}"))
        .header("accept", "application/json")
        .body(Vec::new())
        .map_err(|err| ProviderError::UserInfo(err.to_string()))?;
    let response = send(http, request)
        .await
        .map_err(|err| ProviderError::UserInfo(err.to_string()))?;
    if !response.status().is_success() {
        return Err(ProviderError::UserInfo(format!(
            "the provider answered {}",
            response.status()
        )));
    }
    serde_json::from_slice(response.body())
        .map_err(|_| ProviderError::UserInfo("the answer is not a JSON object".into()))
}

/// An error with its sources, on one line.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
