//! Browsers that signed in to an account: they may go on signing in while it is locked.
use sqlx::{Any, Executor};

use super::now;

pub async fn remember<'c, E>(db: E, identifier: &str, browser_hash: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO known_browsers (identifier, browser_hash, failures, last_seen_at)
         VALUES ($1, $2, 0, $3)
         ON CONFLICT (identifier, browser_hash) DO UPDATE
         SET failures = 0, last_seen_at = excluded.last_seen_at",
    )
    .bind(identifier.to_owned())
    .bind(browser_hash.to_owned())
    .bind(now())
    .execute(db)
    .await
    .map(drop)
}

pub async fn is_known<'c, E>(
    db: E,
    identifier: &str,
    browser_hash: &str,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT last_seen_at FROM known_browsers WHERE identifier = $1 AND browser_hash = $2",
    )
    .bind(identifier.to_owned())
    .bind(browser_hash.to_owned())
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Counts a failed attempt of a known browser while the account is locked.
pub async fn record_failure<'c, E>(
    db: E,
    identifier: &str,
    browser_hash: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE known_browsers SET failures = failures + 1
         WHERE identifier = $1 AND browser_hash = $2",
    )
    .bind(identifier.to_owned())
    .bind(browser_hash.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// Forgets the browsers of an account that failed `limit` times while it was locked.
pub async fn forget_failing<'c, E>(db: E, identifier: &str, limit: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM known_browsers WHERE identifier = $1 AND failures >= $2")
        .bind(identifier.to_owned())
        .bind(limit)
        .execute(db)
        .await
        .map(drop)
}

/// Forgets every browser of an account: after its password was replaced, none is trusted.
pub async fn forget_all<'c, E>(db: E, identifier: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM known_browsers WHERE identifier = $1")
        .bind(identifier.to_owned())
        .execute(db)
        .await
        .map(drop)
}

pub async fn delete_stale<'c, E>(db: E, before: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM known_browsers WHERE last_seen_at < $1")
        .bind(before)
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
