//! Legacy identity stores: the settings of each `legacy` connection, the organizations that
//! use one, and what its migration has brought so far.
use sqlx::{Any, Executor, FromRow};

use super::{Tx, now, unknown_value};
use crate::domain::legacy::{Backend, IdType, LegacyConnection, Mode};
use crate::domain::{ConnectionId, OrganizationId, UserId};

macro_rules! legacy_columns {
    () => {
        "l.connection_id, c.name, l.backend, l.mode, l.dialect, l.address, l.token,
         l.lookup_query, l.all_users_query, l.id_type, l.version, l.last_error, l.last_error_at,
         l.created_at, l.updated_at"
    };
}

#[derive(FromRow)]
struct LegacyRow {
    connection_id: String,
    name: String,
    backend: String,
    mode: String,
    dialect: String,
    address: String,
    token: Option<String>,
    lookup_query: Option<String>,
    all_users_query: Option<String>,
    id_type: String,
    version: i64,
    last_error: Option<String>,
    last_error_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<LegacyRow> for LegacyConnection {
    type Error = sqlx::Error;

    fn try_from(row: LegacyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            connection_id: ConnectionId::from_stored(row.connection_id),
            name: row.name,
            backend: Backend::parse(&row.backend)
                .ok_or_else(|| unknown_value("legacy backend", &row.backend))?,
            mode: Mode::parse(&row.mode).ok_or_else(|| unknown_value("legacy mode", &row.mode))?,
            dialect: row.dialect,
            sealed_address: row.address,
            sealed_token: row.token,
            lookup_query: row.lookup_query,
            all_users_query: row.all_users_query,
            id_type: IdType::parse(&row.id_type)
                .ok_or_else(|| unknown_value("legacy id type", &row.id_type))?,
            version: row.version,
            last_error: row.last_error,
            last_error_at: row.last_error_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Creates the connection row (kind `legacy`) and its settings; false when the name is taken.
pub async fn insert(tx: &mut Tx, legacy: &LegacyConnection) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO connections (id, name, kind, created_at) VALUES ($1, $2, 'legacy', $3)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(legacy.connection_id.as_str().to_owned())
    .bind(legacy.name.clone())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO legacy_connections (connection_id, backend, mode, dialect, address, token,
                                         lookup_query, all_users_query, id_type, created_at,
                                         updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(legacy.connection_id.as_str().to_owned())
    .bind(legacy.backend.as_str())
    .bind(legacy.mode.as_str())
    .bind(legacy.dialect.clone())
    .bind(legacy.sealed_address.clone())
    .bind(legacy.sealed_token.clone())
    .bind(legacy.lookup_query.clone())
    .bind(legacy.all_users_query.clone())
    .bind(legacy.id_type.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Replaces the settings of an existing legacy connection; false when there is none.
pub async fn update<'c, E>(db: E, legacy: &LegacyConnection) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE legacy_connections SET backend = $1, mode = $2, dialect = $3, address = $4,
                token = $5, lookup_query = $6, all_users_query = $7, id_type = $8,
                updated_at = $9, version = version + 1
         WHERE connection_id = $10",
    )
    .bind(legacy.backend.as_str())
    .bind(legacy.mode.as_str())
    .bind(legacy.dialect.clone())
    .bind(legacy.sealed_address.clone())
    .bind(legacy.sealed_token.clone())
    .bind(legacy.lookup_query.clone())
    .bind(legacy.all_users_query.clone())
    .bind(legacy.id_type.as_str())
    .bind(now())
    .bind(legacy.connection_id.as_str().to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn find<'c, E>(db: E, id: &ConnectionId) -> Result<Option<LegacyConnection>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, LegacyRow>(concat!(
        "SELECT ",
        legacy_columns!(),
        " FROM legacy_connections l JOIN connections c ON c.id = l.connection_id
          WHERE l.connection_id = $1"
    ))
    .bind(id.as_str().to_owned())
    .fetch_optional(db)
    .await?
    .map(LegacyConnection::try_from)
    .transpose()
}

pub async fn list<'c, E>(db: E) -> Result<Vec<LegacyConnection>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, LegacyRow>(concat!(
        "SELECT ",
        legacy_columns!(),
        " FROM legacy_connections l JOIN connections c ON c.id = l.connection_id ORDER BY c.name"
    ))
    .fetch_all(db)
    .await?
    .into_iter()
    .map(LegacyConnection::try_from)
    .collect()
}

/// The legacy connections enabled for an organization whose users sign in at `connection`,
/// by name: the stores a sign-in there may ask about an account Usher does not have.
pub async fn for_password_connection<'c, E>(
    db: E,
    connection: &ConnectionId,
) -> Result<Vec<LegacyConnection>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, LegacyRow>(concat!(
        "SELECT ",
        legacy_columns!(),
        " FROM legacy_connections l JOIN connections c ON c.id = l.connection_id
          WHERE EXISTS (SELECT 1 FROM organization_connections oc
                        JOIN organizations o ON o.id = oc.organization_id
                        WHERE oc.connection_id = l.connection_id AND o.connection_id = $1)
          ORDER BY c.name"
    ))
    .bind(connection.as_str().to_owned())
    .fetch_all(db)
    .await?
    .into_iter()
    .map(LegacyConnection::try_from)
    .collect()
}

/// An organization a legacy connection is enabled for.
#[derive(Debug, Clone)]
pub struct EnabledOrg {
    pub id: OrganizationId,
    /// The password connection its users sign in at.
    pub connection_id: ConnectionId,
    pub name: String,
    pub slug: String,
}

/// The organizations a legacy connection is enabled for, by name.
pub async fn organizations<'c, E>(
    db: E,
    legacy: &ConnectionId,
) -> Result<Vec<EnabledOrg>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT o.id, o.connection_id, o.name, o.slug FROM organizations o
         JOIN organization_connections oc ON oc.organization_id = o.id
         WHERE oc.connection_id = $1 ORDER BY o.name",
    )
    .bind(legacy.as_str().to_owned())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, connection, name, slug)| EnabledOrg {
            id: OrganizationId::from_stored(id),
            connection_id: ConnectionId::from_stored(connection),
            name,
            slug,
        })
        .collect())
}

/// Records how `user` came over through legacy connection `legacy` at a sign-in: `sign_in`
/// (migrated) or `proxy` (still checked there).
pub async fn record_user<'c, E>(
    db: E,
    user: &UserId,
    legacy: &ConnectionId,
    how: Mode,
    legacy_id: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let how = match how {
        Mode::Migrate => "sign_in",
        Mode::Proxy => "proxy",
    };
    sqlx::query(
        "INSERT INTO user_migrations (user_id, connection_id, how, legacy_id, migrated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user.as_str().to_owned())
    .bind(legacy.as_str().to_owned())
    .bind(how)
    .bind(legacy_id.to_owned())
    .bind(now())
    .execute(db)
    .await
    .map(drop)
}

/// Notes why a sign-in could not ask the store, for its page.
pub async fn record_problem<'c, E>(db: E, id: &ConnectionId, why: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE legacy_connections SET last_error = $1, last_error_at = $2
         WHERE connection_id = $3",
    )
    .bind(why.to_owned())
    .bind(now())
    .bind(id.as_str().to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// The legacy connection whose store still keeps `user`'s password (proxy mode), if one
/// does, and the user's id there.
pub async fn proxying<'c, E>(
    db: E,
    user: &UserId,
) -> Result<Option<(ConnectionId, Option<String>)>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT connection_id, legacy_id FROM user_migrations
         WHERE user_id = $1 AND how = 'proxy'",
    )
    .bind(user.as_str().to_owned())
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, legacy_id)| (ConnectionId::from_stored(id), legacy_id)))
}

/// Records that a proxied user's password is now Usher's own (their store was switched to
/// migrate mode, and they signed in).
pub async fn proxied_now_migrated<'c, E>(db: E, user: &UserId) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE user_migrations SET how = 'sign_in', migrated_at = $1
         WHERE user_id = $2 AND how = 'proxy'",
    )
    .bind(now())
    .bind(user.as_str().to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// How many users came over through `legacy`, by how (`sign_in`, `import`, `proxy`).
pub async fn counts<'c, E>(db: E, legacy: &ConnectionId) -> Result<Vec<(String, i64)>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "SELECT how, COUNT(*) FROM user_migrations WHERE connection_id = $1 GROUP BY how",
    )
    .bind(legacy.as_str().to_owned())
    .fetch_all(db)
    .await
}

/// How many of the legacy store's ids have come over (each counted once).
pub async fn migrated_ids<'c, E>(db: E, legacy: &ConnectionId) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT COUNT(DISTINCT legacy_id) FROM user_migrations WHERE connection_id = $1",
    )
    .bind(legacy.as_str().to_owned())
    .fetch_one(db)
    .await
}

/// Users brought over by `legacy`, per `bucket` seconds since `from`, by how:
/// `(bucket index, how, count)`.
pub async fn timeline<'c, E>(
    db: E,
    legacy: &ConnectionId,
    from: i64,
    bucket: i64,
) -> Result<Vec<(i64, String, i64)>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "SELECT (migrated_at - $2) / $3 AS bucket, how, COUNT(*) FROM user_migrations
         WHERE connection_id = $1 GROUP BY bucket, how ORDER BY bucket",
    )
    .bind(legacy.as_str().to_owned())
    .bind(from)
    .bind(bucket)
    .fetch_all(db)
    .await
}

/// When `legacy` brought its first user over.
pub async fn first_migration<'c, E>(
    db: E,
    legacy: &ConnectionId,
) -> Result<Option<i64>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT MIN(migrated_at) FROM user_migrations WHERE connection_id = $1")
        .bind(legacy.as_str().to_owned())
        .fetch_one(db)
        .await
}
