//! An organization's admins managing its identity providers: adding one (its discovery
//! document fetched and checked first), changing it, replacing its client secret, turning it
//! off and on, and deleting it. Every change is audited.
use serde_json::json;
use url::Url;

use super::provider::{self, Discovered, Metadata};
use crate::domain::application::is_loopback;
use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::sso::{OidcConnection, SsoSettings};
use crate::domain::{ConnectionId, Organization, Role};
use crate::services::members::Manager;
use crate::services::{Error, Result, SetupError};
use crate::state::AppState;
use crate::store::{Tx, audit, external_identities, now, oidc_connections, users};

/// What the admins typed about the provider itself.
pub struct ProviderFields {
    pub issuer: String,
    pub client_id: String,
    /// Blank when changing a connection: the stored secret stays.
    pub client_secret: String,
}

/// The connection as its page shows it: with the provider's endpoints and who signs in.
pub struct ConnectionView {
    pub connection: OidcConnection,
    pub metadata: Option<Metadata>,
    /// Everyone who ever signed in through it, and those of the last 30 days.
    pub people: i64,
    pub recent_people: i64,
    /// What to register at the provider: the redirect URI, the back-channel logout URI, and
    /// where it may send people after signing them out.
    pub redirect_uri: String,
    pub backchannel_logout_uri: String,
    pub post_logout_redirect_uri: String,
}

const THIRTY_DAYS: i64 = 30 * 24 * 3600;

pub async fn list(state: &AppState, org: &Organization) -> Result<Vec<OidcConnection>> {
    Ok(oidc_connections::list_for_org(state.store.pool(), &org.id).await?)
}

/// The organization's connection `id`; `NotFound` for another organization's.
pub async fn find(
    state: &AppState,
    org: &Organization,
    id: &ConnectionId,
) -> Result<OidcConnection> {
    oidc_connections::find(state.store.pool(), id)
        .await?
        .filter(|connection| connection.organization_id == org.id)
        .ok_or(Error::NotFound)
}

pub async fn view(
    state: &AppState,
    org: &Organization,
    id: &ConnectionId,
) -> Result<ConnectionView> {
    let connection = find(state, org, id).await?;
    let (people, recent_people) =
        external_identities::counts(state.store.pool(), id, now() - THIRTY_DAYS).await?;
    Ok(ConnectionView {
        metadata: serde_json::from_str(&connection.metadata).ok(),
        redirect_uri: state.links.sso_callback(id),
        backchannel_logout_uri: state.links.sso_backchannel_logout(id),
        post_logout_redirect_uri: state.links.login(None),
        connection,
        people,
        recent_people,
    })
}

/// Adds an identity provider for the manager's organization, enabled.
pub async fn create(
    state: &AppState,
    manager: &Manager<'_>,
    fields: ProviderFields,
    settings: SsoSettings,
) -> std::result::Result<OidcConnection, SetupError> {
    check_roles(manager, &settings)?;
    if fields.client_secret.trim().is_empty() {
        return Err(SetupError::Refused("Enter the client secret.".into()));
    }
    let (issuer, client_id) = checked_provider(state, &fields)?;
    let discovered = discover(state, &issuer).await?;
    let id = ConnectionId::new();
    let connection = OidcConnection {
        sealed_secret: seal(state, &id, fields.client_secret.trim())?,
        connection_id: id,
        organization_id: manager.org.id.clone(),
        issuer,
        client_id,
        settings,
        managed_by_role: manager.role,
        enabled: true,
        metadata: serde_json::to_string(&discovered.metadata).map_err(anyhow::Error::from)?,
        jwks: serde_json::to_string(&discovered.jwks).map_err(anyhow::Error::from)?,
        jwks_fetched_at: now(),
        last_success_at: None,
        last_error_at: None,
        last_error: None,
        created_at: now(),
    };
    let name = format!("oidc-{}-{}", manager.org.slug, connection.connection_id);
    let mut tx = state.store.begin().await?;
    if !oidc_connections::insert(&mut tx, &name, &connection).await? {
        return Err(SetupError::Failed(Error::Unexpected(anyhow::anyhow!(
            "connection name {name} taken"
        ))));
    }
    record(
        &mut tx,
        manager,
        AuditAction::SsoConnectionCreated,
        &connection,
        json!({"issuer": connection.issuer, "client_id": connection.client_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(connection)
}

/// Changes a connection: the provider is discovered again, and a blank secret keeps the
/// stored one.
pub async fn update(
    state: &AppState,
    manager: &Manager<'_>,
    id: &ConnectionId,
    fields: ProviderFields,
    settings: SsoSettings,
) -> std::result::Result<OidcConnection, SetupError> {
    check_roles(manager, &settings)?;
    let mut connection = find(state, manager.org, id).await?;
    let (issuer, client_id) = checked_provider(state, &fields)?;
    let discovered = discover(state, &issuer).await?;
    if !fields.client_secret.trim().is_empty() {
        connection.sealed_secret = seal(state, id, fields.client_secret.trim())?;
    }
    let provider_changed = connection.issuer != issuer || connection.client_id != client_id;
    connection.issuer = issuer;
    connection.client_id = client_id;
    connection.managed_by_role = manager.role;
    connection.settings = settings;
    connection.metadata =
        serde_json::to_string(&discovered.metadata).map_err(anyhow::Error::from)?;
    connection.jwks = serde_json::to_string(&discovered.jwks).map_err(anyhow::Error::from)?;
    connection.jwks_fetched_at = now();
    let mut tx = state.store.begin().await?;
    if !oidc_connections::update_settings(&mut *tx, &connection).await? {
        return Err(SetupError::Failed(Error::NotFound));
    }
    let forgotten = if provider_changed {
        external_identities::delete_for_connection(&mut *tx, id).await?
    } else {
        0
    };
    let details = json!({
        "identities_forgotten": forgotten,
        "issuer": connection.issuer,
        "client_id": connection.client_id,
        "secret_replaced": !fields.client_secret.trim().is_empty(),
        "create_users": connection.settings.create_users,
        "enforce_sso": connection.settings.enforce_sso,
    });
    record(
        &mut tx,
        manager,
        AuditAction::SsoConnectionChanged,
        &connection,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(connection)
}

/// Replaces the client secret alone. Sign-ins in flight use the new one from their code
/// exchange on: the provider accepts both while its admins rotate, so nothing stops.
pub async fn replace_secret(
    state: &AppState,
    manager: &Manager<'_>,
    id: &ConnectionId,
    secret: &str,
) -> std::result::Result<(), SetupError> {
    let mut connection = find(state, manager.org, id).await?;
    if secret.trim().is_empty() {
        return Err(SetupError::Refused("Enter the new client secret.".into()));
    }
    connection.sealed_secret = seal(state, id, secret.trim())?;
    connection.managed_by_role = connection.managed_by_role.min(manager.role);
    let mut tx = state.store.begin().await?;
    oidc_connections::update_settings(&mut *tx, &connection).await?;
    record(
        &mut tx,
        manager,
        AuditAction::SsoSecretReplaced,
        &connection,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns sign-ins through the connection on or off; off takes effect at the next callback.
pub async fn set_enabled(
    state: &AppState,
    manager: &Manager<'_>,
    id: &ConnectionId,
    enabled: bool,
) -> Result<()> {
    let connection = find(state, manager.org, id).await?;
    let mut tx = state.store.begin().await?;
    oidc_connections::set_enabled(&mut *tx, &manager.org.id, id, enabled).await?;
    let action = if enabled {
        AuditAction::SsoConnectionEnabled
    } else {
        AuditAction::SsoConnectionDisabled
    };
    record(&mut tx, manager, action, &connection, json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the connection and the accounts it created (they have no other way in); accounts
/// linked to it keep their password and lose the link.
pub async fn delete(state: &AppState, manager: &Manager<'_>, id: &ConnectionId) -> Result<()> {
    let connection = find(state, manager.org, id).await?;
    let mut tx = state.store.begin().await?;
    let removed = users::delete_for_connection(&mut *tx, id).await?;
    oidc_connections::delete(&mut *tx, &manager.org.id, id).await?;
    let details = json!({"issuer": connection.issuer, "accounts_deleted": removed});
    record(
        &mut tx,
        manager,
        AuditAction::SsoConnectionDeleted,
        &connection,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// No rule may grant a role above the manager's own: an admin cannot make owners by SSO.
fn check_roles(
    manager: &Manager<'_>,
    settings: &SsoSettings,
) -> std::result::Result<(), SetupError> {
    let highest = settings
        .role_rules
        .0
        .iter()
        .map(|rule| rule.role)
        .chain([settings.default_role])
        .max()
        .unwrap_or(Role::Member);
    if highest > manager.role {
        return Err(SetupError::Refused(format!(
            "Only an owner can map groups to the {} role.",
            highest.as_str()
        )));
    }
    Ok(())
}

/// The issuer (https, or http on loopback when Usher itself runs on loopback, as in
/// development) and client id, checked.
fn checked_provider(
    state: &AppState,
    fields: &ProviderFields,
) -> std::result::Result<(String, String), SetupError> {
    let refused = |text: &str| SetupError::Refused(text.to_owned());
    // Kept as typed: a provider's issuer may end in a slash, and issuers compare exactly.
    let issuer = fields.issuer.trim();
    let url = Url::parse(issuer)
        .map_err(|_| refused("Enter the issuer URL, like https://login.example.com."))?;
    let local = url.scheme() == "http" && is_loopback(&url) && is_loopback(state.links.base());
    if url.scheme() != "https" && !local {
        return Err(refused("The issuer URL must start with https://."));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refused("The issuer URL has no query or fragment."));
    }
    let client_id = fields.client_id.trim();
    if client_id.is_empty() || client_id.len() > 255 {
        return Err(refused(
            "Enter the client ID the identity provider gave you.",
        ));
    }
    Ok((issuer.to_owned(), client_id.to_owned()))
}

async fn discover(state: &AppState, issuer: &str) -> std::result::Result<Discovered, SetupError> {
    provider::discover(&state.http, issuer)
        .await
        .map_err(|err| {
            tracing::info!(issuer, "discovery refused: {err}");
            SetupError::Refused(format!(
                "Usher could not use this identity provider's discovery document: {err}."
            ))
        })
}

fn seal(state: &AppState, id: &ConnectionId, secret: &str) -> Result<String> {
    Ok(state
        .sealer
        .seal(secret.as_bytes(), &OidcConnection::secret_context(id))?)
}

async fn record(
    tx: &mut Tx,
    manager: &Manager<'_>,
    action: AuditAction,
    connection: &OidcConnection,
    details: serde_json::Value,
) -> Result<()> {
    let event = NewAuditEvent {
        actor: &Actor::user(manager.user, manager.client_ip),
        action,
        organization: Some(&manager.org.id),
        target: Some(AuditTarget::connection(&connection.connection_id)),
        details,
        summary: connection.settings.display_name.clone(),
    };
    audit::insert(&mut **tx, event).await?;
    Ok(())
}

impl ConnectionView {
    /// The provider's endpoints from its discovery document, labelled for the page.
    pub fn endpoints(&self) -> Vec<(&'static str, String)> {
        let Some(metadata) = &self.metadata else {
            return Vec::new();
        };
        let mut endpoints = vec![
            (
                "Authorization",
                metadata.authorization_endpoint().to_string(),
            ),
            ("Keys (JWKS)", metadata.jwks_uri().to_string()),
        ];
        if let Some(token) = metadata.token_endpoint() {
            endpoints.push(("Token", token.to_string()));
        }
        if let Some(userinfo) = metadata.userinfo_endpoint() {
            endpoints.push(("Userinfo", userinfo.to_string()));
        }
        if let Some(end_session) = &metadata.additional_metadata().end_session_endpoint {
            endpoints.push(("Sign-out", end_session.to_string()));
        }
        endpoints
    }

    /// The ID token signature algorithms the provider supports, as it names them.
    pub fn algorithms(&self) -> String {
        let Some(metadata) = &self.metadata else {
            return String::new();
        };
        metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .filter_map(|alg| serde_json::to_value(alg).ok())
            .filter_map(|alg| alg.as_str().map(str::to_owned))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
