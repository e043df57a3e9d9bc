//! An authorization request (`/oauth/authorize`), checked in the order RFC 6749 §4.1.2.1
//! demands: until the client and its redirect URI are known good, errors are shown to the
//! person; after, they go back to the application.
use serde::Deserialize;

use super::{CodeChallenge, ErrorCode, OAuthError, Scope};
use crate::domain::application::{Application, ClientKind};

/// The longest `state`, `nonce` or other parameter accepted; anything longer is refused
/// rather than stored.
const MAX_PARAM_LEN: usize = 1024;

/// The parameters as sent, in the query or (OpenID Connect §3.1.2.1) a form.
#[derive(Debug, Default, Deserialize)]
pub struct AuthorizeParams {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub response_mode: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    /// The organization to sign in to, by id or slug (as Auth0's `organization`).
    pub organization: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
}

/// Why a request cannot even be answered to the application: shown to the person instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unanswerable {
    #[error("The request does not name an application (client_id).")]
    NoClient,
    #[error("No application is registered with this client_id.")]
    UnknownClient,
    #[error("The request does not say where to return (redirect_uri).")]
    NoRedirectUri,
    #[error("The address to return to is not one the application registered.")]
    UnregisteredRedirectUri,
}

/// What `prompt` asks for (Core §3.1.2.1); `consent` and `select_account` change nothing for
/// the product's own applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// The default: sign in when there is no session.
    Default,
    /// Never show a page: an error when the person would have to act.
    None,
    /// Sign in again even when there is a session.
    Login,
}

/// A checked request, ready to be answered or kept while the person signs in.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Scope,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    pub prompt: Prompt,
    /// The organization asked for, by id or slug, not yet looked up.
    pub organization: Option<String>,
    /// A sign-in before this time (Unix seconds) does not satisfy the request.
    pub login_after: Option<i64>,
}

impl AuthorizeParams {
    /// The registered redirect URI the request names, as the application sent it.
    pub fn redirect_uri_of(&self, app: &Application) -> Result<String, Unanswerable> {
        let presented = self
            .redirect_uri
            .as_deref()
            .filter(|uri| !uri.is_empty())
            .ok_or(Unanswerable::NoRedirectUri)?;
        app.redirect_uris
            .iter()
            .any(|uri| uri.accepts(presented, app.kind))
            .then(|| presented.to_owned())
            .ok_or(Unanswerable::UnregisteredRedirectUri)
    }

    /// The rest of the checks, whose failures go back to the application. `now` is Unix
    /// seconds, for `prompt=login` and `max_age`.
    pub fn check(
        self,
        app: &Application,
        redirect_uri: String,
        now: i64,
    ) -> Result<AuthorizationRequest, OAuthError> {
        let too_long = [
            &self.state,
            &self.nonce,
            &self.scope,
            &self.prompt,
            &self.organization,
            &self.max_age,
        ]
        .into_iter()
        .flatten()
        .any(|value| value.len() > MAX_PARAM_LEN);
        if too_long {
            return Err(OAuthError::invalid_request(
                "a parameter is longer than 1024 characters",
            ));
        }
        if self.request.is_some() {
            return Err(OAuthError::new(
                ErrorCode::RequestNotSupported,
                "request objects are not supported",
            ));
        }
        if self.request_uri.is_some() {
            return Err(OAuthError::new(
                ErrorCode::RequestUriNotSupported,
                "request_uri is not supported",
            ));
        }
        match self.response_type.as_deref() {
            Some("code") => {}
            None | Some("") => {
                return Err(OAuthError::invalid_request("response_type is missing"));
            }
            Some(_) => {
                return Err(OAuthError::new(
                    ErrorCode::UnsupportedResponseType,
                    "only the authorization code flow (response_type=code) is supported",
                ));
            }
        }
        if !matches!(self.response_mode.as_deref(), None | Some("query")) {
            return Err(OAuthError::invalid_request(
                "only response_mode=query is supported",
            ));
        }
        let scope = Scope::for_sign_in(self.scope.as_deref().unwrap_or_default())?;
        let code_challenge = match self.code_challenge.as_deref() {
            Some(challenge) => Some(CodeChallenge::parse(
                challenge,
                self.code_challenge_method.as_deref(),
            )?),
            None if app.kind == ClientKind::Public => {
                return Err(OAuthError::invalid_request(
                    "a public application must send a PKCE code_challenge (S256)",
                ));
            }
            None => None,
        };
        let prompt = parse_prompt(self.prompt.as_deref().unwrap_or_default())?;
        let max_age =
            match self.max_age.as_deref() {
                Some(value) => Some(value.parse::<u32>().map_err(|_| {
                    OAuthError::invalid_request("max_age must be a number of seconds")
                })?),
                None => None,
            };
        let login_after = match (prompt, max_age) {
            (Prompt::Login, _) => Some(now),
            (_, Some(max_age)) => Some(now - i64::from(max_age)),
            _ => None,
        };
        Ok(AuthorizationRequest {
            client_id: app.client_id.as_str().to_owned(),
            redirect_uri,
            scope,
            state: self.state.filter(|state| !state.is_empty()),
            nonce: self.nonce.filter(|nonce| !nonce.is_empty()),
            code_challenge,
            prompt,
            organization: self.organization.filter(|org| !org.is_empty()),
            login_after,
        })
    }
}

fn parse_prompt(value: &str) -> Result<Prompt, OAuthError> {
    let values: Vec<&str> = value.split(' ').filter(|v| !v.is_empty()).collect();
    if values.contains(&"none") {
        return if values.len() == 1 {
            Ok(Prompt::None)
        } else {
            Err(OAuthError::invalid_request(
                "prompt=none cannot be combined with other values",
            ))
        };
    }
    let known = ["login", "consent", "select_account"];
    if let Some(unknown) = values.iter().find(|v| !known.contains(v)) {
        tracing::debug!(prompt = unknown, "unknown prompt value");
        return Err(OAuthError::invalid_request("prompt has an unknown value"));
    }
    Ok(if values.contains(&"login") {
        Prompt::Login
    } else {
        Prompt::Default
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::application::{AppName, ClientId, OrgPolicy, RedirectUri};

    fn app(kind: ClientKind) -> Application {
        Application {
            id: "a".into(),
            client_id: ClientId::from_stored("client".into()),
            name: AppName::from_stored("App".into()),
            kind,
            organizations: OrgPolicy::Optional,
            redirect_uris: vec![RedirectUri::parse("https://app.example/cb").unwrap()],
            post_logout_redirect_uris: vec![],
            initiate_login_uri: None,
            backchannel_logout_uri: None,
            signing_algorithm: crate::domain::signing_key::SigningAlgorithm::Rs256,
            deployment_default: false,
            created_at: 0,
        }
    }

    fn params() -> AuthorizeParams {
        AuthorizeParams {
            client_id: Some("client".into()),
            redirect_uri: Some("https://app.example/cb".into()),
            response_type: Some("code".into()),
            scope: Some("openid email".into()),
            state: Some("s".into()),
            ..AuthorizeParams::default()
        }
    }

    fn check(
        params: AuthorizeParams,
        kind: ClientKind,
    ) -> Result<AuthorizationRequest, OAuthError> {
        let app = app(kind);
        let uri = params.redirect_uri_of(&app).unwrap();
        params.check(&app, uri, 1000)
    }

    #[test]
    fn only_a_registered_redirect_uri_is_answered() {
        let app = app(ClientKind::Confidential);
        let mut other = params();
        other.redirect_uri = Some("https://evil.example/cb".into());
        assert_eq!(
            other.redirect_uri_of(&app),
            Err(Unanswerable::UnregisteredRedirectUri)
        );
        assert!(params().redirect_uri_of(&app).is_ok());
    }

    #[test]
    fn implicit_and_hybrid_flows_are_refused() {
        for response_type in ["token", "id_token", "code id_token"] {
            let mut p = params();
            p.response_type = Some(response_type.into());
            let err = check(p, ClientKind::Confidential).unwrap_err();
            assert_eq!(err.code, ErrorCode::UnsupportedResponseType);
        }
    }

    #[test]
    fn a_public_client_needs_pkce() {
        assert!(check(params(), ClientKind::Public).is_err());
        assert!(check(params(), ClientKind::Confidential).is_ok());
    }

    #[test]
    fn prompt_login_and_max_age_ask_for_a_fresh_sign_in() {
        let mut p = params();
        p.prompt = Some("login".into());
        assert_eq!(
            check(p, ClientKind::Confidential).unwrap().login_after,
            Some(1000)
        );
        let mut p = params();
        p.max_age = Some("300".into());
        assert_eq!(
            check(p, ClientKind::Confidential).unwrap().login_after,
            Some(700)
        );
        let mut p = params();
        p.prompt = Some("none login".into());
        assert!(check(p, ClientKind::Confidential).is_err());
    }

    #[test]
    fn oversized_parameters_are_refused() {
        let mut p = params();
        p.state = Some("x".repeat(2000));
        assert_eq!(
            check(p, ClientKind::Confidential).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }
}
