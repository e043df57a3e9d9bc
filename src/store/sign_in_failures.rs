//! Failed sign-ins per (identifier, client IP), for the per-account backoff.
use sqlx::{Any, Executor};

use super::now;

/// Unix time until which sign-ins for this pair are refused (0 when not locked); `None` when
/// the pair has no failures on record.
pub async fn locked_until<'c, E>(
    db: E,
    identifier: &str,
    client_ip: &str,
) -> Result<Option<i64>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT locked_until FROM sign_in_failures WHERE identifier = $1 AND client_ip = $2",
    )
    .bind(identifier.to_owned())
    .bind(client_ip.to_owned())
    .fetch_optional(db)
    .await
}

/// Counts one more failure and returns the new total.
pub async fn record<'c, E>(db: E, identifier: &str, client_ip: &str) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "INSERT INTO sign_in_failures (identifier, client_ip, failures, locked_until, updated_at)
         VALUES ($1, $2, 1, 0, $3)
         ON CONFLICT (identifier, client_ip) DO UPDATE
         SET failures = sign_in_failures.failures + 1, updated_at = excluded.updated_at
         RETURNING failures",
    )
    .bind(identifier.to_owned())
    .bind(client_ip.to_owned())
    .bind(now())
    .fetch_one(db)
    .await
}

pub async fn lock<'c, E>(
    db: E,
    identifier: &str,
    client_ip: &str,
    until: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE sign_in_failures SET locked_until = $1 WHERE identifier = $2 AND client_ip = $3",
    )
    .bind(until)
    .bind(identifier.to_owned())
    .bind(client_ip.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// Forgets the failures of one pair, after its successful sign-in.
pub async fn clear_pair<'c, E>(db: E, identifier: &str, client_ip: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM sign_in_failures WHERE identifier = $1 AND client_ip = $2")
        .bind(identifier.to_owned())
        .bind(client_ip.to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Forgets every failure of an identifier, after its owner reset the password by email.
pub async fn clear<'c, E>(db: E, identifier: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM sign_in_failures WHERE identifier = $1")
        .bind(identifier.to_owned())
        .execute(db)
        .await
        .map(drop)
}

pub async fn delete_stale<'c, E>(db: E, before: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM sign_in_failures WHERE updated_at < $1 AND locked_until < $1")
        .bind(before)
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
