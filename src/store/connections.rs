//! Connections: where users' credentials live.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::ConnectionId;

/// Creates a password connection for one isolated organization.
pub async fn insert_password<'c, E>(db: E, name: &str) -> Result<ConnectionId, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let id = ConnectionId::new();
    sqlx::query(
        "INSERT INTO connections (id, name, kind, created_at) VALUES ($1, $2, 'password', $3)",
    )
    .bind(id.as_str().to_owned())
    .bind(name.to_owned())
    .bind(now())
    .execute(db)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone, FromRow)]
pub struct ConnectionRow {
    pub id: String,
    pub name: String,
    pub kind: String,
}

/// Connections that organizations may be allowed to use: every connection that is not an
/// isolated organization's own password store.
pub async fn list_shareable<'c, E>(db: E) -> Result<Vec<ConnectionRow>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, ConnectionRow>(
        "SELECT c.id, c.name, c.kind FROM connections c
         WHERE NOT EXISTS (SELECT 1 FROM organizations o
                           WHERE o.connection_id = c.id AND o.membership_mode = 'isolated')
         ORDER BY c.name",
    )
    .fetch_all(db)
    .await
}
