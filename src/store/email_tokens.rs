//! Email tokens: stored as SHA-256 hashes, bound to a purpose and an account, used at most once.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::{EmailToken, TokenPurpose, UserId};

/// Whom a valid token was issued for.
#[derive(Debug, FromRow)]
pub struct TokenOwner {
    pub user_id: Option<String>,
    pub email: String,
}

impl TokenOwner {
    pub fn user_id(&self) -> Option<UserId> {
        self.user_id.clone().map(UserId::from_stored)
    }
}

/// Voids the user's unused tokens of this purpose, so only the newest link works.
pub async fn void_unused<'c, E>(
    db: E,
    user: &UserId,
    purpose: TokenPurpose,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE email_tokens SET used_at = $1
         WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
    )
    .bind(now())
    .bind(user.as_str().to_owned())
    .bind(purpose.as_str())
    .execute(db)
    .await
    .map(drop)
}

/// Voids every unused token of this purpose, whoever it was for.
pub async fn void_purpose<'c, E>(db: E, purpose: TokenPurpose) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE email_tokens SET used_at = $1 WHERE purpose = $2 AND used_at IS NULL")
        .bind(now())
        .bind(purpose.as_str())
        .execute(db)
        .await
        .map(drop)
}

pub async fn insert<'c, E>(
    db: E,
    token: &EmailToken,
    purpose: TokenPurpose,
    user: Option<&UserId>,
    email: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, purpose, user_id, email, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.hash())
    .bind(purpose.as_str())
    .bind(user.map(|id| id.as_str().to_owned()))
    .bind(email.to_owned())
    .bind(now + purpose.lifetime_secs())
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// The owner of a token that is unused and unexpired, without using it up.
pub async fn find_valid<'c, E>(
    db: E,
    token: &EmailToken,
    purpose: TokenPurpose,
) -> Result<Option<TokenOwner>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, TokenOwner>(
        "SELECT user_id, email FROM email_tokens
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token.hash())
    .bind(purpose.as_str())
    .bind(now())
    .fetch_optional(db)
    .await
}

/// Uses a token up in one atomic update: of two concurrent callers, only one gets the owner.
pub async fn consume<'c, E>(
    db: E,
    token: &EmailToken,
    purpose: TokenPurpose,
) -> Result<Option<TokenOwner>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, TokenOwner>(
        "UPDATE email_tokens SET used_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
         RETURNING user_id, email",
    )
    .bind(now())
    .bind(token.hash())
    .bind(purpose.as_str())
    .fetch_optional(db)
    .await
}
