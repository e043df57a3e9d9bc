//! Which applications each browser sign-in reached: when the sign-in ends (signed out, removed
//! from the organization, blocked) those with a back-channel logout URI are told.
use sqlx::{Any, Executor, FromRow};

use super::now;

/// One application a sign-in reached.
#[derive(Debug, Clone, FromRow)]
pub struct AppSignIn {
    pub sid: String,
    pub client_id: String,
    pub user_id: String,
}

/// Notes that the sign-in `sid` of `user_id` reached the application (a code was issued).
pub async fn record<'c, E>(
    db: E,
    sid: &str,
    client_id: &str,
    user_id: &str,
    organization_id: Option<&str>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO application_sign_ins (sid, client_id, user_id, organization_id, last_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sid, client_id) DO UPDATE
         SET organization_id = excluded.organization_id, last_at = excluded.last_at",
    )
    .bind(sid.to_owned())
    .bind(client_id.to_owned())
    .bind(user_id.to_owned())
    .bind(organization_id.map(str::to_owned))
    .bind(now())
    .execute(db)
    .await
    .map(drop)
}

/// Ends what the browser sign-in `sid` reached; what it was.
pub async fn take_for_sid<'c, E>(db: E, sid: &str) -> Result<Vec<AppSignIn>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "DELETE FROM application_sign_ins WHERE sid = $1 RETURNING sid, client_id, user_id",
    )
    .bind(sid.to_owned())
    .fetch_all(db)
    .await
}

/// Ends the user's sign-ins to applications in the organization; what they were.
pub async fn take_for_member<'c, E>(
    db: E,
    user_id: &str,
    organization_id: &str,
) -> Result<Vec<AppSignIn>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "DELETE FROM application_sign_ins WHERE user_id = $1 AND organization_id = $2
         RETURNING sid, client_id, user_id",
    )
    .bind(user_id.to_owned())
    .bind(organization_id.to_owned())
    .fetch_all(db)
    .await
}

/// Ends every sign-in of the user to any application; what they were.
pub async fn take_for_user<'c, E>(db: E, user_id: &str) -> Result<Vec<AppSignIn>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "DELETE FROM application_sign_ins WHERE user_id = $1 RETURNING sid, client_id, user_id",
    )
    .bind(user_id.to_owned())
    .fetch_all(db)
    .await
}

/// Forgets sign-ins not seen since `before` (their refresh tokens have expired too).
pub async fn delete_older<'c, E>(db: E, before: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query("DELETE FROM application_sign_ins WHERE last_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
