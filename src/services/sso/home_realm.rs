//! Home-realm discovery: which identity provider an email address, or an organization's
//! sign-in page, sends people to.
use crate::domain::sso::OidcConnection;
use crate::domain::{ConnectionId, Email, Organization};
use crate::services::{Result, domains};
use crate::state::AppState;
use crate::store::oidc_connections;

/// A sign-in button: "Sign in with <name>".
#[derive(Debug, Clone)]
pub struct SsoChoice {
    pub connection: ConnectionId,
    pub name: String,
    /// The organization's verified domains may not sign in with a password.
    pub enforced: bool,
}

impl From<&OidcConnection> for SsoChoice {
    fn from(connection: &OidcConnection) -> Self {
        Self {
            connection: connection.connection_id.clone(),
            name: connection.settings.display_name.clone(),
            enforced: connection.settings.enforce_sso,
        }
    }
}

/// The enabled identity providers of `org`, for its sign-in page.
pub async fn for_org(state: &AppState, org: &Organization) -> Result<Vec<SsoChoice>> {
    Ok(oidc_connections::list_for_org(state.store.pool(), &org.id)
        .await?
        .iter()
        .filter(|connection| connection.enabled)
        .map(SsoChoice::from)
        .collect())
}

/// The identity provider for `email`: the first enabled one of the organization that verified
/// its domain (an enforcing one first).
pub async fn for_email(state: &AppState, email: &Email) -> Result<Option<SsoChoice>> {
    let Some(org) = domains::organization_for_email(state, email).await? else {
        return Ok(None);
    };
    if org.is_suspended() {
        return Ok(None);
    }
    let mut choices = for_org(state, &org).await?;
    choices.sort_by_key(|choice| !choice.enforced);
    Ok(choices.into_iter().next())
}
