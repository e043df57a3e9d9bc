//! Email outbox: messages are written here in the request's transaction and sent later by the
//! mail worker of whichever instance claims them first.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::QueuedMail;

/// A message waiting to be sent.
#[derive(Debug, Clone, FromRow)]
pub struct OutboxMessage {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i64,
    pub created_at: i64,
}

/// A sent or pending message as listed on the dev mail page.
#[derive(FromRow)]
struct OutboxEntry {
    id: String,
    recipient: String,
    subject: String,
    text_body: String,
    created_at: i64,
    sent_at: Option<i64>,
}

impl From<OutboxEntry> for QueuedMail {
    fn from(row: OutboxEntry) -> Self {
        Self {
            id: row.id,
            recipient: row.recipient,
            subject: row.subject,
            text_body: row.text_body,
            created_at: row.created_at,
            sent_at: row.sent_at,
        }
    }
}

pub struct OutboxInsertForm<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
}

pub async fn insert<'c, E>(db: E, form: OutboxInsertForm<'_>) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    sqlx::query(
        "INSERT INTO outbox (id, recipient, subject, text_body, html_body, next_attempt_at,
                             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(form.recipient.to_owned())
    .bind(form.subject.to_owned())
    .bind(form.text_body.to_owned())
    .bind(form.html_body.to_owned())
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// Claims the oldest due message for `lease_secs`. The claim conditions are repeated in the
/// outer WHERE so that, of two instances racing for one row, PostgreSQL re-checks them after
/// the first commits and only one claim succeeds.
pub async fn claim_due<'c, E>(db: E, lease_secs: i64) -> Result<Option<OutboxMessage>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, OutboxMessage>(
        "UPDATE outbox SET claimed_until = $1 + $2, attempts = attempts + 1
         WHERE id = (SELECT id FROM outbox
                     WHERE sent_at IS NULL AND next_attempt_at <= $1
                       AND (claimed_until IS NULL OR claimed_until <= $1)
                     ORDER BY next_attempt_at, id LIMIT 1)
           AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $1)
         RETURNING id, recipient, subject, text_body, html_body, attempts, created_at",
    )
    .bind(now())
    .bind(lease_secs)
    .fetch_optional(db)
    .await
}

pub async fn mark_sent<'c, E>(db: E, id: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL WHERE id = $2",
    )
    .bind(now())
    .bind(id.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// Marks a message sent and drops its bodies: they hold single-use links that the database
/// should not keep once delivered.
pub async fn mark_sent_forgetting_bodies<'c, E>(db: E, id: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL,
                           text_body = '', html_body = ''
         WHERE id = $2",
    )
    .bind(now())
    .bind(id.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// Releases a claim after a failed attempt; the message is due again after `retry_in_secs`.
pub async fn mark_failed<'c, E>(
    db: E,
    id: &str,
    error: &str,
    retry_in_secs: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE outbox SET claimed_until = NULL, last_error = $1, next_attempt_at = $2
         WHERE id = $3",
    )
    .bind(error.to_owned())
    .bind(now() + retry_in_secs)
    .bind(id.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// Gives a message up: it stays in the table with its last error, and is never claimed again.
pub async fn mark_abandoned<'c, E>(db: E, id: &str, error: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE outbox SET claimed_until = NULL, last_error = $1, next_attempt_at = $2 WHERE id = $3",
    )
    .bind(format!("given up: {error}"))
    .bind(i64::MAX)
    .bind(id.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// The newest messages, for the dev mail page.
pub async fn list_recent<'c, E>(db: E, limit: i64) -> Result<Vec<QueuedMail>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, OutboxEntry>(
        "SELECT id, recipient, subject, text_body, created_at, sent_at FROM outbox
         ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
    .map(|rows| rows.into_iter().map(QueuedMail::from).collect())
}

pub async fn find<'c, E>(db: E, id: &str) -> Result<Option<QueuedMail>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, OutboxEntry>(
        "SELECT id, recipient, subject, text_body, created_at, sent_at FROM outbox WHERE id = $1",
    )
    .bind(id.to_owned())
    .fetch_optional(db)
    .await
    .map(|row| row.map(QueuedMail::from))
}
