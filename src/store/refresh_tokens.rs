//! Refresh tokens, kept as SHA-256, rotated on every use, revoked by family.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::oauth::{REFRESH_TOKEN_LIFETIME_SECS, Scope};
use crate::domain::{OrganizationId, UserId};

/// What a refresh token stands for.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    /// The authorization code the family grew from (its hash).
    pub family: String,
    pub client_id: String,
    pub user_id: UserId,
    pub organization_id: Option<OrganizationId>,
    pub scope: Scope,
    pub sid: String,
    pub auth_time: i64,
}

/// A stored token and where it stands.
#[derive(Debug, Clone)]
pub struct StoredRefreshToken {
    pub grant: RefreshGrant,
    pub expires_at: i64,
    pub rotated: bool,
    pub revoked: bool,
}

#[derive(FromRow)]
struct TokenRow {
    family: String,
    client_id: String,
    user_id: String,
    organization_id: Option<String>,
    scope: String,
    sid: String,
    auth_time: i64,
    expires_at: i64,
    rotated_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl From<TokenRow> for StoredRefreshToken {
    fn from(row: TokenRow) -> Self {
        Self {
            grant: RefreshGrant {
                family: row.family,
                client_id: row.client_id,
                user_id: UserId::from_stored(row.user_id),
                organization_id: row.organization_id.map(OrganizationId::from_stored),
                scope: Scope::from_stored(&row.scope),
                sid: row.sid,
                auth_time: row.auth_time,
            },
            expires_at: row.expires_at,
            rotated: row.rotated_at.is_some(),
            revoked: row.revoked_at.is_some(),
        }
    }
}

pub async fn insert<'c, E>(db: E, token_hash: &str, grant: &RefreshGrant) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family, client_id, user_id, organization_id,
             scope, sid, auth_time, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(token_hash.to_owned())
    .bind(grant.family.clone())
    .bind(grant.client_id.clone())
    .bind(grant.user_id.as_str().to_owned())
    .bind(
        grant
            .organization_id
            .as_ref()
            .map(|id| id.as_str().to_owned()),
    )
    .bind(grant.scope.to_string_list())
    .bind(grant.sid.clone())
    .bind(grant.auth_time)
    .bind(now)
    .bind(now + REFRESH_TOKEN_LIFETIME_SECS)
    .execute(db)
    .await
    .map(drop)
}

pub async fn find<'c, E>(db: E, token_hash: &str) -> Result<Option<StoredRefreshToken>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, TokenRow>(
        "SELECT family, client_id, user_id, organization_id, scope, sid, auth_time, expires_at,
                rotated_at, revoked_at
         FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(token_hash.to_owned())
    .fetch_optional(db)
    .await?;
    Ok(row.map(StoredRefreshToken::from))
}

/// Marks the token used; false when it was used or revoked meanwhile (of two refreshes at
/// once, one wins).
pub async fn rotate<'c, E>(db: E, token_hash: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE refresh_tokens SET rotated_at = $2
         WHERE token_hash = $1 AND rotated_at IS NULL AND revoked_at IS NULL",
    )
    .bind(token_hash.to_owned())
    .bind(now())
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every token of a family (a replayed code or a reused refresh token).
pub async fn revoke_family<'c, E>(db: E, family: &str) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL",
    )
    .bind(family.to_owned())
    .bind(now())
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes a member's tokens for one organization (they were removed from it).
pub async fn revoke_for_member<'c, E>(
    db: E,
    user: &UserId,
    org: &OrganizationId,
) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $3
         WHERE user_id = $1 AND organization_id = $2 AND revoked_at IS NULL",
    )
    .bind(user.as_str().to_owned())
    .bind(org.as_str().to_owned())
    .bind(now())
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes every token of the user (they were blocked).
pub async fn revoke_for_user<'c, E>(db: E, user: &UserId) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user.as_str().to_owned())
    .bind(now())
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes the tokens issued in a browser session that ended (the person signed out).
pub async fn revoke_for_sid<'c, E>(db: E, sid: &str) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE sid = $1 AND revoked_at IS NULL",
    )
    .bind(sid.to_owned())
    .bind(now())
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Drops tokens past their life.
pub async fn delete_expired<'c, E>(db: E) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query("DELETE FROM refresh_tokens WHERE expires_at <= $1")
        .bind(now())
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
