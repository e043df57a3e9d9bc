//! The figures of the operator's portal home: how much the deployment holds, and how its mail
//! is doing.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::mail::MailHealth;
use crate::domain::overview::Counts;

#[derive(FromRow)]
struct CountsRow {
    organizations: i64,
    users: i64,
    pending_invitations: i64,
}

pub async fn counts<'c, E>(db: E) -> Result<Counts, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, CountsRow>(
        "SELECT (SELECT COUNT(*) FROM organizations) AS organizations,
                (SELECT COUNT(*) FROM users) AS users,
                (SELECT COUNT(*) FROM invitations
                 WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1)
                    AS pending_invitations",
    )
    .bind(now())
    .fetch_one(db)
    .await?;
    Ok(Counts {
        organizations: row.organizations,
        users: row.users,
        pending_invitations: row.pending_invitations,
    })
}

#[derive(FromRow)]
struct MailRow {
    queued: i64,
    failing: i64,
    given_up: i64,
    last_error: Option<String>,
}

/// Unsent messages: waiting (some of them after failed attempts) and given up, with the error
/// of the failing message tried last. A given-up message is never due again: its
/// `next_attempt_at` is the largest time there is.
pub async fn mail_health<'c, E>(db: E) -> Result<MailHealth, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, MailRow>(
        "SELECT COALESCE(SUM(CASE WHEN next_attempt_at < $1 THEN 1 ELSE 0 END), 0) AS queued,
                COALESCE(SUM(CASE WHEN next_attempt_at < $1 AND last_error IS NOT NULL
                                  THEN 1 ELSE 0 END), 0) AS failing,
                COALESCE(SUM(CASE WHEN next_attempt_at = $1 THEN 1 ELSE 0 END), 0) AS given_up,
                (SELECT last_error FROM outbox
                 WHERE sent_at IS NULL AND next_attempt_at < $1 AND last_error IS NOT NULL
                 ORDER BY next_attempt_at DESC LIMIT 1) AS last_error
         FROM outbox WHERE sent_at IS NULL",
    )
    .bind(i64::MAX)
    .fetch_one(db)
    .await?;
    Ok(MailHealth {
        queued: row.queued,
        failing: row.failing,
        given_up: row.given_up,
        last_error: row.last_error,
    })
}
