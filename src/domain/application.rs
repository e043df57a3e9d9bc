//! The product's own applications: the OAuth clients of Usher's OpenID Provider, their
//! redirect URIs, how they treat organizations, and their secrets.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;
use url::{Host, Url};

use super::signing_key::SigningAlgorithm;
use super::token::hex_sha256;

/// Whether an application can keep a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// A server-side web application: authenticates with its secret.
    Confidential,
    /// A single-page or native application: no secret, PKCE required.
    Public,
}

impl ClientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confidential => "confidential",
            Self::Public => "public",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Confidential, Self::Public]
            .into_iter()
            .find(|kind| kind.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Confidential => "Confidential (a server-side web app with a secret)",
            Self::Public => "Public (a single-page or native app: no secret, PKCE)",
        }
    }
}

/// How an application treats organizations (as Auth0's "types of users").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgPolicy {
    /// Business users: every sign-in is to one of the person's organizations.
    Required,
    /// An organization when the request names one or the person has one.
    Optional,
    /// Individuals: no organization claims.
    None,
}

impl OrgPolicy {
    pub const ALL: [Self; 3] = [Self::Required, Self::Optional, Self::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
            Self::None => "none",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|policy| policy.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Required => "Required: people always sign in to one of their organizations",
            Self::Optional => "Optional: an organization when there is one",
            Self::None => "None: individuals, no organization",
        }
    }
}

impl std::fmt::Display for OrgPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An application's name, as people see it on consent and in the operator's portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppName(String);

impl AppName {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let name = input.trim();
        if name.is_empty() {
            return Err("Enter the application's name.");
        }
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err("Keep the name under 100 characters, on one line.");
        }
        Ok(Self(name.to_owned()))
    }

    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AppName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A URI Usher may send people back to: absolute, https (or http on a loopback address, for
/// local development and native apps), without a fragment (RFC 6749 §3.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUri(Url);

impl RedirectUri {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let url = Url::parse(input.trim())
            .map_err(|_| "Enter a whole address, like https://app.example.com/callback.")?;
        if url.fragment().is_some() {
            return Err("An address to return to cannot have a #fragment.");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("An address to return to cannot carry a user name or password.");
        }
        match url.scheme() {
            "https" if url.host().is_some() => Ok(Self(url)),
            "http" if is_loopback(&url) => Ok(Self(url)),
            "http" => {
                Err("Use https; plain http is allowed on 127.0.0.1, [::1] and localhost only.")
            }
            _ => Err("Use an https address."),
        }
    }

    pub fn from_stored(value: &str) -> Result<Self, &'static str> {
        Self::parse(value)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The `scheme://host:port` that a browser sends as `Origin` from this URI's pages.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }

    /// True when a request's `redirect_uri` is this one: exactly, port included; only a
    /// public client's loopback URI may come back on any port (RFC 8252 §7.3).
    pub fn accepts(&self, presented: &str, kind: ClientKind) -> bool {
        if presented == self.as_str() {
            return true;
        }
        if kind != ClientKind::Public || self.0.scheme() != "http" || !is_loopback(&self.0) {
            return false;
        }
        let Ok(mut presented) = Url::parse(presented) else {
            return false;
        };
        if presented.host() != self.0.host() || presented.set_port(self.0.port()).is_err() {
            return false;
        }
        presented.as_str() == self.as_str()
    }
}

impl std::fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// A client id: random, URL-safe (clients send it in Basic auth without encoding it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId(String);

impl ClientId {
    pub fn generate() -> Self {
        let bytes: [u8; 16] = rand::random();
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn from_stored(id: String) -> Self {
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client secret: 256 random bits, URL-safe, shown once. The database keeps its SHA-256: a
/// slow password hash adds nothing for a random secret and would cap the token endpoint.
#[derive(Debug, Clone)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::random();
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hex_sha256(self.0.as_bytes())
    }

    /// True when `presented` is the secret whose hash is `stored_hash`, compared in constant
    /// time.
    pub fn matches(presented: &str, stored_hash: &str) -> bool {
        let hash = hex_sha256(presented.as_bytes());
        hash.as_bytes().ct_eq(stored_hash.as_bytes()).into()
    }
}

/// A registered application.
#[derive(Debug, Clone)]
pub struct Application {
    pub id: String,
    pub client_id: ClientId,
    pub name: AppName,
    pub kind: ClientKind,
    pub organizations: OrgPolicy,
    pub redirect_uris: Vec<RedirectUri>,
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    /// Where Usher starts a sign-in on the app's behalf (OIDC third-party initiated login).
    pub initiate_login_uri: Option<RedirectUri>,
    /// Where Usher POSTs a logout token when a sign-in to the app ends (OIDC Back-Channel
    /// Logout).
    pub backchannel_logout_uri: Option<RedirectUri>,
    /// The algorithm of its ID and access tokens.
    pub signing_algorithm: SigningAlgorithm,
    /// Where people land after accepting an invitation or verifying their email, unless their
    /// organization names its own.
    pub deployment_default: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// What registering an application takes, checked.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub name: AppName,
    pub kind: ClientKind,
    pub organizations: OrgPolicy,
    pub redirect_uris: Vec<RedirectUri>,
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    pub initiate_login_uri: Option<RedirectUri>,
    pub backchannel_logout_uri: Option<RedirectUri>,
    pub signing_algorithm: SigningAlgorithm,
    pub deployment_default: bool,
}

/// Parses a list of URIs, one per entry (blank entries skipped); at least one when `required`.
pub fn parse_uris(inputs: &[&str], required: bool) -> Result<Vec<RedirectUri>, &'static str> {
    let uris = inputs
        .iter()
        .filter(|input| !input.trim().is_empty())
        .map(|input| RedirectUri::parse(input))
        .collect::<Result<Vec<_>, _>>()?;
    if required && uris.is_empty() {
        return Err("Enter at least one address to return to after sign-in.");
    }
    Ok(uris)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_https_or_loopback_http_without_fragments() {
        for good in [
            "https://app.example.com/callback",
            "http://127.0.0.1:3000/cb",
            "http://[::1]/cb",
            "http://localhost:8000/cb",
        ] {
            assert!(RedirectUri::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "http://app.example.com/cb",
            "https://app.example.com/cb#x",
            "javascript:alert(1)",
            "/callback",
            "https://user:pw@app.example.com/cb",
            "ftp://app.example.com/cb",
        ] {
            assert!(RedirectUri::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn redirect_uris_match_exactly_but_a_public_loopback_port_may_vary() {
        let web = RedirectUri::parse("https://app.example.com/cb").unwrap();
        assert!(web.accepts("https://app.example.com/cb", ClientKind::Confidential));
        for other in [
            "https://app.example.com/cb/",
            "https://app.example.com/cb?x=1",
            "https://app.example.com:8443/cb",
            "https://APP.example.com/cb",
        ] {
            assert!(!web.accepts(other, ClientKind::Public), "{other}");
        }
        let native = RedirectUri::parse("http://127.0.0.1/cb").unwrap();
        assert!(native.accepts("http://127.0.0.1:51234/cb", ClientKind::Public));
        assert!(!native.accepts("http://127.0.0.1:51234/cb", ClientKind::Confidential));
        assert!(!native.accepts("http://127.0.0.1:51234/other", ClientKind::Public));
        assert!(!native.accepts("http://localhost:51234/cb", ClientKind::Public));
    }

    #[test]
    fn ids_and_secrets_are_url_safe_and_secrets_compare_by_hash() {
        let id = ClientId::generate();
        let secret = ClientSecret::generate();
        for value in [id.as_str(), secret.as_str()] {
            assert!(
                value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
            );
        }
        assert_eq!(secret.as_str().len(), 43, "256 bits");
        assert!(ClientSecret::matches(secret.as_str(), &secret.hash()));
        assert!(!ClientSecret::matches("guess", &secret.hash()));
    }

    #[test]
    fn uri_lists_skip_blanks_and_may_be_required() {
        assert_eq!(parse_uris(&["", " "], false).unwrap(), vec![]);
        assert!(parse_uris(&[""], true).is_err());
        assert_eq!(
            parse_uris(&["https://a.example/cb", ""], true)
                .unwrap()
                .len(),
            1
        );
    }
}
