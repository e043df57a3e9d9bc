//! Consecutive failed sign-ins per account, counted over every client address together. An
//! attempt is counted when it starts, before its password is checked, so that no number of
//! parallel guesses gets past the cap; a successful sign-in clears the count.
use sqlx::{Any, Executor, FromRow};

use super::now;

#[derive(Debug, Clone, Copy, FromRow)]
pub struct AccountFailures {
    pub failures: i64,
    pub locked_at: Option<i64>,
}

/// Counts one more attempt; locks the account once the count passes `limit`. Returns the
/// new state: `failures == limit + 1` means this very attempt locked it.
pub async fn begin_attempt<'c, E>(
    db: E,
    identifier: &str,
    limit: i64,
) -> Result<AccountFailures, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, AccountFailures>(
        "INSERT INTO account_sign_in_failures (identifier, failures, locked_at, updated_at)
         VALUES ($1, 1, CASE WHEN $2 < 1 THEN $3 END, $3)
         ON CONFLICT (identifier) DO UPDATE
         SET failures = account_sign_in_failures.failures + 1,
             locked_at = COALESCE(account_sign_in_failures.locked_at,
                                  CASE WHEN account_sign_in_failures.failures + 1 > $2
                                       THEN excluded.updated_at END),
             updated_at = excluded.updated_at
         RETURNING failures, locked_at",
    )
    .bind(identifier.to_owned())
    .bind(limit)
    .bind(now())
    .fetch_one(db)
    .await
}

/// Takes back the attempt `begin_attempt` counted, for a sign-in that could not be decided
/// (the store that keeps the password did not answer): it says nothing about the password.
pub async fn withdraw_attempt(db: &sqlx::AnyPool, identifier: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE account_sign_in_failures SET failures = failures - 1
         WHERE identifier = $1 AND failures > 0 AND locked_at IS NULL",
    )
    .bind(identifier.to_owned())
    .execute(db)
    .await?;
    sqlx::query(
        "DELETE FROM account_sign_in_failures
         WHERE identifier = $1 AND failures <= 0 AND locked_at IS NULL",
    )
    .bind(identifier.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// Forgets the account's failures and lifts its lock (a sign-in while unlocked, an unlock
/// link, a password reset).
pub async fn clear<'c, E>(db: E, identifier: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM account_sign_in_failures WHERE identifier = $1")
        .bind(identifier.to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Unlocked accounts whose last failure is older than `before` start again from zero (so
/// that the table does not keep every address ever tried).
pub async fn delete_stale<'c, E>(db: E, before: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM account_sign_in_failures WHERE updated_at < $1 AND locked_at IS NULL")
        .bind(before)
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
