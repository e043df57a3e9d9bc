//! People as identity providers know them: (connection, `sub`) to a user, never an email.
use sqlx::{Any, Executor};

use super::now;
use crate::domain::{ConnectionId, UserId};

pub async fn find_user<'c, E>(
    db: E,
    connection: &ConnectionId,
    subject: &str,
) -> Result<Option<UserId>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let user: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM external_identities WHERE connection_id = $1 AND subject = $2",
    )
    .bind(connection.as_str().to_owned())
    .bind(subject.to_owned())
    .fetch_optional(db)
    .await?;
    Ok(user.map(UserId::from_stored))
}

/// Links `subject` at the connection to `user`; false when the subject is linked already (a
/// concurrent first sign-in won), without aborting the caller's transaction.
pub async fn insert<'c, E>(
    db: E,
    connection: &ConnectionId,
    subject: &str,
    user: &UserId,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    let done = sqlx::query(
        "INSERT INTO external_identities (connection_id, subject, user_id, created_at,
                                          last_sign_in_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (connection_id, subject) DO NOTHING",
    )
    .bind(connection.as_str().to_owned())
    .bind(subject.to_owned())
    .bind(user.as_str().to_owned())
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn touch<'c, E>(
    db: E,
    connection: &ConnectionId,
    subject: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE external_identities SET last_sign_in_at = $1
         WHERE connection_id = $2 AND subject = $3",
    )
    .bind(now())
    .bind(connection.as_str().to_owned())
    .bind(subject.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// How many people sign in through the connection, and how many of them did since `since`.
pub async fn counts<'c, E>(
    db: E,
    connection: &ConnectionId,
    since: i64,
) -> Result<(i64, i64), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "SELECT COUNT(*),
                COALESCE(SUM(CASE WHEN last_sign_in_at >= $2 THEN 1 ELSE 0 END), 0)
         FROM external_identities WHERE connection_id = $1",
    )
    .bind(connection.as_str().to_owned())
    .bind(since)
    .fetch_one(db)
    .await
}

/// Forgets every person the connection knew: its provider changed, and a `sub` of the new one
/// must never sign in as someone the old one knew.
pub async fn delete_for_connection<'c, E>(
    db: E,
    connection: &ConnectionId,
) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM external_identities WHERE connection_id = $1")
        .bind(connection.as_str().to_owned())
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
