//! Client authentication at the token, revocation and introspection endpoints:
//! `client_secret_basic` or `client_secret_post` for confidential applications, the bare
//! `client_id` for public ones (RFC 6749 §2.3).
use crate::domain::application::{Application, ClientKind};
use crate::domain::oauth::{ErrorCode, OAuthError};
use crate::services::{Error, Result, applications};
use crate::store::Store;

/// What a request presented to say which application it is.
#[derive(Debug, Default)]
pub struct Presented {
    pub client_id: Option<String>,
    pub secret: Option<String>,
    /// True when they came in an `Authorization: Basic` header.
    pub via_basic: bool,
}

const FAILED: OAuthError = OAuthError::new(
    ErrorCode::InvalidClient,
    "client authentication failed: unknown client_id or wrong client_secret",
);

/// The application that authenticated, or `invalid_client`. Every failure is the same answer.
pub async fn authenticate(store: &Store, presented: &Presented) -> Result<Application> {
    let client_id = presented.client_id.as_deref().ok_or(FAILED)?;
    let app = match applications::find(store, client_id).await {
        Ok(app) => app,
        Err(Error::NotFound) => return Err(FAILED.into()),
        Err(err) => return Err(err),
    };
    let authenticated = match (app.kind, presented.secret.as_deref()) {
        (ClientKind::Public, None) => true,
        (ClientKind::Public, Some(_)) => false,
        (ClientKind::Confidential, Some(secret)) => {
            applications::secret_is_valid(store, &app, secret).await?
        }
        (ClientKind::Confidential, None) => false,
    };
    if !authenticated {
        return Err(FAILED.into());
    }
    Ok(app)
}
