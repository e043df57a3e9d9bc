//! Usher sign-ins that came through an identity provider: which provider session they
//! belong to (its back-channel logout names it), and the provider's ID token (to sign out
//! there too).
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::{ConnectionId, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct SsoSignIn {
    pub sid: String,
    pub connection_id: String,
    pub id_token: String,
}

pub struct NewSsoSignIn<'a> {
    pub sid: &'a str,
    pub connection: &'a ConnectionId,
    pub subject: &'a str,
    pub idp_sid: Option<&'a str>,
    pub user: &'a UserId,
    pub id_token: &'a str,
}

pub async fn insert<'c, E>(db: E, sign_in: NewSsoSignIn<'_>) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO sso_sign_ins (sid, connection_id, subject, idp_sid, user_id, id_token,
                                   created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(sign_in.sid.to_owned())
    .bind(sign_in.connection.as_str().to_owned())
    .bind(sign_in.subject.to_owned())
    .bind(sign_in.idp_sid.map(str::to_owned))
    .bind(sign_in.user.as_str().to_owned())
    .bind(sign_in.id_token.to_owned())
    .bind(now())
    .execute(db)
    .await
    .map(drop)
}

/// The record of sign-in `sid`, removed (it is being signed out).
pub async fn take<'c, E>(db: E, sid: &str) -> Result<Option<SsoSignIn>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as("DELETE FROM sso_sign_ins WHERE sid = $1 RETURNING sid, connection_id, id_token")
        .bind(sid.to_owned())
        .fetch_optional(db)
        .await
}

/// The sign-ins through `connection` a provider's logout names (by its session id, else by
/// subject), removed.
pub async fn take_matching<'c, E>(
    db: E,
    connection: &ConnectionId,
    subject: Option<&str>,
    idp_sid: Option<&str>,
) -> Result<Vec<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "DELETE FROM sso_sign_ins
         WHERE connection_id = $1
           AND (($2 IS NOT NULL AND idp_sid = $2) OR ($2 IS NULL AND subject = $3))
           AND ($3 IS NULL OR subject = $3)
         RETURNING sid",
    )
    .bind(connection.as_str().to_owned())
    .bind(idp_sid.map(str::to_owned))
    .bind(subject.map(str::to_owned))
    .fetch_all(db)
    .await
}

/// Forgets sign-ins older than `before` (their sessions are long over).
pub async fn delete_older<'c, E>(db: E, before: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM sso_sign_ins WHERE created_at < $1")
        .bind(before)
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
