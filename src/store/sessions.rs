//! Server-side sessions, keyed by the SHA-256 of the cookie's session key.
use sqlx::{Any, Executor};

use super::now;
use crate::domain::UserId;

pub async fn load<'c, E>(db: E, key_hash: &str) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT state FROM sessions WHERE key_hash = $1 AND expires_at > $2")
        .bind(key_hash.to_owned())
        .bind(now())
        .fetch_optional(db)
        .await
}

/// Who a session belongs to, kept beside its state so that all of a user's sessions, or the
/// one of a sign-in (`sid`), can be ended at once.
pub struct Owner<'a> {
    pub user_id: Option<&'a UserId>,
    pub sid: Option<&'a str>,
}

/// Stores a new session.
pub async fn insert<'c, E>(
    db: E,
    key_hash: &str,
    owner: Owner<'_>,
    state: &str,
    ttl_secs: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO sessions (key_hash, user_id, sid, state, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(key_hash.to_owned())
    .bind(owner.user_id.map(|id| id.as_str().to_owned()))
    .bind(owner.sid.map(str::to_owned))
    .bind(state.to_owned())
    .bind(now() + ttl_secs)
    .execute(db)
    .await
    .map(drop)
}

/// Replaces the state of a live session. A session ended meanwhile (sign-out elsewhere,
/// password change) stays ended: nothing is written and false is returned.
pub async fn update<'c, E>(
    db: E,
    key_hash: &str,
    owner: Owner<'_>,
    state: &str,
    ttl_secs: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE sessions SET user_id = $1, sid = $2, state = $3, expires_at = $4
         WHERE key_hash = $5",
    )
    .bind(owner.user_id.map(|id| id.as_str().to_owned()))
    .bind(owner.sid.map(str::to_owned))
    .bind(state.to_owned())
    .bind(now() + ttl_secs)
    .bind(key_hash.to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Extends a session; false when it no longer exists (ended elsewhere).
pub async fn touch<'c, E>(db: E, key_hash: &str, ttl_secs: i64) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query("UPDATE sessions SET expires_at = $1 WHERE key_hash = $2")
        .bind(now() + ttl_secs)
        .bind(key_hash.to_owned())
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn delete<'c, E>(db: E, key_hash: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM sessions WHERE key_hash = $1")
        .bind(key_hash.to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Ends every session of a user (password change or reset, blocking).
pub async fn delete_for_user<'c, E>(db: E, user: &UserId) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.as_str().to_owned())
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}

/// Ends the session of one sign-in (its identity provider signed the person out).
pub async fn delete_for_sid<'c, E>(db: E, sid: &str) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM sessions WHERE sid = $1")
        .bind(sid.to_owned())
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}

pub async fn delete_expired<'c, E>(db: E) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now())
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
