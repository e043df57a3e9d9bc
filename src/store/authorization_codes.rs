//! Authorization codes, kept as SHA-256 and used once.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::oauth::{CODE_LIFETIME_SECS, CodeChallenge, Scope};
use crate::domain::{OrganizationId, UserId};

/// What a code stands for: who signed in, to which application and organization, and what
/// the exchange must present to get tokens for it.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    pub user_id: UserId,
    pub organization_id: Option<OrganizationId>,
    pub redirect_uri: String,
    pub scope: Scope,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    pub sid: String,
    pub auth_time: i64,
    pub expires_at: i64,
}

#[derive(FromRow)]
struct CodeRow {
    client_id: String,
    user_id: String,
    organization_id: Option<String>,
    redirect_uri: String,
    scope: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
    sid: String,
    auth_time: i64,
    expires_at: i64,
}

impl From<CodeRow> for CodeGrant {
    fn from(row: CodeRow) -> Self {
        Self {
            client_id: row.client_id,
            user_id: UserId::from_stored(row.user_id),
            organization_id: row.organization_id.map(OrganizationId::from_stored),
            redirect_uri: row.redirect_uri,
            scope: Scope::from_stored(&row.scope),
            nonce: row.nonce,
            code_challenge: row.code_challenge.map(CodeChallenge::from_stored),
            sid: row.sid,
            auth_time: row.auth_time,
            expires_at: row.expires_at,
        }
    }
}

pub async fn insert<'c, E>(db: E, code_hash: &str, grant: &CodeGrant) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    sqlx::query(
        "INSERT INTO authorization_codes (code_hash, client_id, user_id, organization_id,
             redirect_uri, scope, nonce, code_challenge, sid, auth_time, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(code_hash.to_owned())
    .bind(grant.client_id.clone())
    .bind(grant.user_id.as_str().to_owned())
    .bind(
        grant
            .organization_id
            .as_ref()
            .map(|id| id.as_str().to_owned()),
    )
    .bind(grant.redirect_uri.clone())
    .bind(grant.scope.to_string_list())
    .bind(grant.nonce.clone())
    .bind(grant.code_challenge.as_ref().map(|c| c.as_str().to_owned()))
    .bind(grant.sid.clone())
    .bind(grant.auth_time)
    .bind(now)
    .bind(now + CODE_LIFETIME_SECS)
    .execute(db)
    .await
    .map(drop)
}

/// Marks the code used and returns what it stands for; `None` when it is unknown or was used
/// already. Of two exchanges at once, one gets it.
pub async fn consume<'c, E>(db: E, code_hash: &str) -> Result<Option<CodeGrant>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, CodeRow>(
        "UPDATE authorization_codes SET used_at = $2
         WHERE code_hash = $1 AND used_at IS NULL
         RETURNING client_id, user_id, organization_id, redirect_uri, scope, nonce,
                   code_challenge, sid, auth_time, expires_at",
    )
    .bind(code_hash.to_owned())
    .bind(now())
    .fetch_optional(db)
    .await?;
    Ok(row.map(CodeGrant::from))
}

/// True when the code exists and was used: a replay.
pub async fn was_used<'c, E>(db: E, code_hash: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let used: Option<Option<i64>> =
        sqlx::query_scalar("SELECT used_at FROM authorization_codes WHERE code_hash = $1")
            .bind(code_hash.to_owned())
            .fetch_optional(db)
            .await?;
    Ok(matches!(used, Some(Some(_))))
}

/// Voids the unused codes of a browser session that ended.
pub async fn delete_for_sid<'c, E>(db: E, sid: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM authorization_codes WHERE sid = $1 AND used_at IS NULL")
        .bind(sid.to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Drops codes past their life. A used code is kept as long as the tokens it gave could be
/// refreshed, so that its replay still revokes them.
pub async fn delete_expired<'c, E>(db: E, keep_used_secs: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    let done = sqlx::query(
        "DELETE FROM authorization_codes
         WHERE (used_at IS NULL AND expires_at <= $1) OR (used_at IS NOT NULL AND used_at <= $2)",
    )
    .bind(now)
    .bind(now - keep_used_secs)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
