//! Organizations' identity providers: the settings of each `oidc` connection, its provider's
//! discovery document and keys as last fetched, and how its sign-ins went.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::sso::{ClaimMap, OidcConnection, RoleRules, SsoSettings};
use crate::domain::{ConnectionId, OrganizationId, Role};

macro_rules! oidc_columns {
    () => {
        "connection_id, organization_id, display_name, issuer, client_id, client_secret, scopes,
         claim_map, role_rules, default_role, create_users, update_every_sign_in, enforce_sso,
         enabled, metadata, jwks, jwks_fetched_at, last_success_at, last_error_at, last_error,
         created_at, managed_by_role"
    };
}

#[derive(FromRow)]
struct OidcRow {
    connection_id: String,
    organization_id: String,
    display_name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    scopes: String,
    claim_map: String,
    role_rules: String,
    default_role: String,
    create_users: i64,
    update_every_sign_in: i64,
    enforce_sso: i64,
    enabled: i64,
    metadata: String,
    jwks: String,
    jwks_fetched_at: i64,
    last_success_at: Option<i64>,
    last_error_at: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    managed_by_role: String,
}

impl TryFrom<OidcRow> for OidcConnection {
    type Error = sqlx::Error;

    fn try_from(row: OidcRow) -> Result<Self, sqlx::Error> {
        let settings = SsoSettings {
            display_name: row.display_name,
            scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
            claim_map: serde_json::from_str::<ClaimMap>(&row.claim_map)
                .map_err(|_| unknown_value("claim map", &row.claim_map))?,
            role_rules: RoleRules::from_json(&row.role_rules)
                .ok_or_else(|| unknown_value("role rules", &row.role_rules))?,
            default_role: Role::from_stored(&row.default_role)
                .ok_or_else(|| unknown_value("role", &row.default_role))?,
            create_users: row.create_users != 0,
            update_every_sign_in: row.update_every_sign_in != 0,
            enforce_sso: row.enforce_sso != 0,
        };
        Ok(Self {
            connection_id: ConnectionId::from_stored(row.connection_id),
            organization_id: OrganizationId::from_stored(row.organization_id),
            issuer: row.issuer,
            client_id: row.client_id,
            sealed_secret: row.client_secret,
            settings,
            managed_by_role: Role::from_stored(&row.managed_by_role)
                .ok_or_else(|| unknown_value("role", &row.managed_by_role))?,
            enabled: row.enabled != 0,
            metadata: row.metadata,
            jwks: row.jwks,
            jwks_fetched_at: row.jwks_fetched_at,
            last_success_at: row.last_success_at,
            last_error_at: row.last_error_at,
            last_error: row.last_error,
            created_at: row.created_at,
        })
    }
}

fn flag(on: bool) -> i64 {
    i64::from(on)
}

/// Creates the connection row (kind `oidc`, named `name`) and its settings, enabled; false
/// when the name is taken.
pub async fn insert(
    tx: &mut super::Tx,
    name: &str,
    connection: &OidcConnection,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO connections (id, name, kind, created_at) VALUES ($1, $2, 'oidc', $3)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(connection.connection_id.as_str().to_owned())
    .bind(name.to_owned())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let settings = &connection.settings;
    sqlx::query(concat!(
        "INSERT INTO oidc_connections (",
        oidc_columns!(),
        ", updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 NULL, NULL, NULL, $18, $19, $18)"
    ))
    .bind(connection.connection_id.as_str().to_owned())
    .bind(connection.organization_id.as_str().to_owned())
    .bind(settings.display_name.clone())
    .bind(connection.issuer.clone())
    .bind(connection.client_id.clone())
    .bind(connection.sealed_secret.clone())
    .bind(settings.scopes.join(" "))
    .bind(serde_json::to_string(&settings.claim_map).unwrap_or_default())
    .bind(settings.role_rules.to_json())
    .bind(settings.default_role.as_str())
    .bind(flag(settings.create_users))
    .bind(flag(settings.update_every_sign_in))
    .bind(flag(settings.enforce_sso))
    .bind(flag(connection.enabled))
    .bind(connection.metadata.clone())
    .bind(connection.jwks.clone())
    .bind(connection.jwks_fetched_at)
    .bind(now())
    .bind(connection.managed_by_role.as_str())
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO organization_connections (organization_id, connection_id) VALUES ($1, $2)",
    )
    .bind(connection.organization_id.as_str().to_owned())
    .bind(connection.connection_id.as_str().to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

pub async fn find<'c, E>(db: E, id: &ConnectionId) -> Result<Option<OidcConnection>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, OidcRow>(concat!(
        "SELECT ",
        oidc_columns!(),
        " FROM oidc_connections WHERE connection_id = $1"
    ))
    .bind(id.as_str().to_owned())
    .fetch_optional(db)
    .await?
    .map(OidcConnection::try_from)
    .transpose()
}

/// The organization's identity providers, oldest first.
pub async fn list_for_org<'c, E>(
    db: E,
    org: &OrganizationId,
) -> Result<Vec<OidcConnection>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, OidcRow>(concat!(
        "SELECT ",
        oidc_columns!(),
        " FROM oidc_connections WHERE organization_id = $1 ORDER BY created_at, connection_id"
    ))
    .bind(org.as_str().to_owned())
    .fetch_all(db)
    .await?
    .into_iter()
    .map(OidcConnection::try_from)
    .collect()
}

/// Replaces what the admins choose (and the provider's documents, fetched again on save).
pub async fn update_settings<'c, E>(db: E, connection: &OidcConnection) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let settings = &connection.settings;
    let done = sqlx::query(
        "UPDATE oidc_connections SET display_name = $1, issuer = $2, client_id = $3, scopes = $4,
            claim_map = $5, role_rules = $6, default_role = $7, create_users = $8,
            update_every_sign_in = $9, enforce_sso = $10, metadata = $11, jwks = $12,
            jwks_fetched_at = $13, client_secret = $14, updated_at = $15, managed_by_role = $18
         WHERE connection_id = $16 AND organization_id = $17",
    )
    .bind(settings.display_name.clone())
    .bind(connection.issuer.clone())
    .bind(connection.client_id.clone())
    .bind(settings.scopes.join(" "))
    .bind(serde_json::to_string(&settings.claim_map).unwrap_or_default())
    .bind(settings.role_rules.to_json())
    .bind(settings.default_role.as_str())
    .bind(flag(settings.create_users))
    .bind(flag(settings.update_every_sign_in))
    .bind(flag(settings.enforce_sso))
    .bind(connection.metadata.clone())
    .bind(connection.jwks.clone())
    .bind(connection.jwks_fetched_at)
    .bind(connection.sealed_secret.clone())
    .bind(now())
    .bind(connection.connection_id.as_str().to_owned())
    .bind(connection.organization_id.as_str().to_owned())
    .bind(connection.managed_by_role.as_str())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn set_enabled<'c, E>(
    db: E,
    org: &OrganizationId,
    id: &ConnectionId,
    enabled: bool,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE oidc_connections SET enabled = $1, updated_at = $2
         WHERE connection_id = $3 AND organization_id = $4",
    )
    .bind(flag(enabled))
    .bind(now())
    .bind(id.as_str().to_owned())
    .bind(org.as_str().to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Stores a key set fetched again for a key the stored one lacked, unless a sign-in did so in
/// the last `min_age_secs` seconds (false then: the provider is not asked more often).
pub async fn claim_refetch<'c, E>(
    db: E,
    id: &ConnectionId,
    min_age_secs: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    let done = sqlx::query(
        "UPDATE oidc_connections SET jwks_refetched_at = $1
         WHERE connection_id = $2 AND (jwks_refetched_at IS NULL OR jwks_refetched_at <= $3)",
    )
    .bind(now)
    .bind(id.as_str().to_owned())
    .bind(now - min_age_secs)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn replace_keys<'c, E>(db: E, id: &ConnectionId, jwks: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE oidc_connections SET jwks = $1, jwks_fetched_at = $2 WHERE connection_id = $3",
    )
    .bind(jwks.to_owned())
    .bind(now())
    .bind(id.as_str().to_owned())
    .execute(db)
    .await
    .map(drop)
}

pub async fn record_success<'c, E>(db: E, id: &ConnectionId) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE oidc_connections SET last_success_at = $1 WHERE connection_id = $2")
        .bind(now())
        .bind(id.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

pub async fn record_error<'c, E>(db: E, id: &ConnectionId, reason: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE oidc_connections SET last_error_at = $1, last_error = $2 WHERE connection_id = $3",
    )
    .bind(now())
    .bind(reason.chars().take(500).collect::<String>())
    .bind(id.as_str().to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// Deletes the connection with its settings, identities and flows (by cascade); the users it
/// created stay, without a way to sign in until they are linked or reset a password.
pub async fn delete<'c, E>(
    db: E,
    org: &OrganizationId,
    id: &ConnectionId,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "DELETE FROM connections WHERE id = $1 AND kind = 'oidc' AND id IN
            (SELECT connection_id FROM oidc_connections WHERE organization_id = $2)",
    )
    .bind(id.as_str().to_owned())
    .bind(org.as_str().to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}
