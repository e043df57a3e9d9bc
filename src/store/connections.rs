//! Connections: where users' credentials live.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::{Connection, ConnectionId, ConnectionKind};

/// Creates a password connection for one isolated organization; `None` when the name was
/// taken meanwhile (without aborting the caller's transaction).
pub async fn insert_password<'c, E>(db: E, name: &str) -> Result<Option<ConnectionId>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let id = ConnectionId::new();
    let done = sqlx::query(
        "INSERT INTO connections (id, name, kind, created_at) VALUES ($1, $2, 'password', $3)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(id.as_str().to_owned())
    .bind(name.to_owned())
    .bind(now())
    .execute(db)
    .await?;
    Ok((done.rows_affected() > 0).then_some(id))
}

#[derive(FromRow)]
struct ConnectionRow {
    id: String,
    name: String,
    kind: String,
}

impl TryFrom<ConnectionRow> for Connection {
    type Error = sqlx::Error;

    fn try_from(row: ConnectionRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            kind: ConnectionKind::parse(&row.kind)
                .ok_or_else(|| unknown_value("connection kind", &row.kind))?,
            id: ConnectionId::from_stored(row.id),
            name: row.name,
        })
    }
}

/// Connections an organization may be allowed to use besides its password connection
/// (enterprise identity providers, legacy stores): every connection that is not a password
/// store.
pub async fn list_shareable<'c, E>(db: E) -> Result<Vec<Connection>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, ConnectionRow>(
        "SELECT id, name, kind FROM connections WHERE kind <> 'password' ORDER BY name",
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(Connection::try_from)
    .collect()
}

/// The connection named `name`.
pub async fn find_by_name<'c, E>(db: E, name: &str) -> Result<Option<Connection>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, ConnectionRow>("SELECT id, name, kind FROM connections WHERE name = $1")
        .bind(name.to_owned())
        .fetch_optional(db)
        .await?
        .map(Connection::try_from)
        .transpose()
}

/// The password connections (the shared one and the isolated organizations'), by name: where
/// imported users can be created.
pub async fn list_password<'c, E>(db: E) -> Result<Vec<Connection>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, ConnectionRow>(
        "SELECT id, name, kind FROM connections WHERE kind = 'password' ORDER BY name",
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(Connection::try_from)
    .collect()
}
