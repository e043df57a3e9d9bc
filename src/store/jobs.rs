//! Background jobs: rows claimed with a lease, so that each job runs on one instance at a time
//! and a job whose instance died mid-run is taken again once its lease has run out.
use sqlx::{Any, Executor, FromRow};

use super::now;

/// A job as one worker claimed it: what to run, and the lease that proves the claim.
#[derive(Debug, Clone, FromRow)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: String,
    pub payload: String,
    /// Claims so far, this one included.
    pub attempts: i64,
    pub lease_id: String,
    pub claimed_until: i64,
}

pub struct JobInsertForm<'a> {
    pub kind: &'a str,
    pub payload: &'a str,
    /// Set for a job that must exist once (a recurring one); None for ordinary work.
    pub dedup_key: Option<&'a str>,
    pub run_at: i64,
}

/// Queues a job. A job whose dedup key is already taken is not queued again: every instance
/// schedules the recurring jobs at start, and the first one wins. False when nothing was queued.
pub async fn insert<'c, E>(db: E, form: JobInsertForm<'_>) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, dedup_key, run_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(form.kind.to_owned())
    .bind(form.payload.to_owned())
    .bind(form.dedup_key.map(str::to_owned))
    .bind(form.run_at)
    .bind(now())
    .execute(db)
    .await
    .map(|done| done.rows_affected() == 1)
}

/// Claims the job that has been due longest, for `lease_secs`. The claim conditions are
/// repeated in the outer WHERE so that, of two instances racing for one row, PostgreSQL
/// re-checks them after the first commits and only one claim succeeds (SQLite runs one
/// writer at a time). A job whose lease ran out is due again: its worker is gone.
pub async fn claim_due<'c, E>(db: E, lease_secs: i64) -> Result<Option<ClaimedJob>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, ClaimedJob>(
        "UPDATE jobs SET claimed_until = $1 + $2, lease_id = $3, attempts = attempts + 1
         WHERE id = (SELECT id FROM jobs
                     WHERE finished_at IS NULL AND run_at <= $1
                       AND (claimed_until IS NULL OR claimed_until <= $1)
                     ORDER BY run_at, id LIMIT 1)
           AND finished_at IS NULL AND run_at <= $1
           AND (claimed_until IS NULL OR claimed_until <= $1)
         RETURNING id, kind, payload, attempts, lease_id, claimed_until",
    )
    .bind(now())
    .bind(lease_secs)
    .bind(uuid::Uuid::now_v7().to_string())
    .fetch_optional(db)
    .await
}

/// Ends a job for good: done when `error` is None, given up (keeping the error) otherwise.
/// False when the claim was no longer ours, and nothing was changed.
pub async fn finish<'c, E>(
    db: E,
    claim: &ClaimedJob,
    error: Option<&str>,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE jobs SET finished_at = $1, last_error = $2, claimed_until = NULL, lease_id = NULL
         WHERE id = $3 AND lease_id = $4",
    )
    .bind(now())
    .bind(error.map(str::to_owned))
    .bind(claim.id.clone())
    .bind(claim.lease_id.clone())
    .execute(db)
    .await
    .map(|done| done.rows_affected() == 1)
}

/// Releases a failed job, due again at `run_at`; its attempts keep counting.
pub async fn retry<'c, E>(
    db: E,
    claim: &ClaimedJob,
    error: &str,
    run_at: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE jobs SET run_at = $1, last_error = $2, claimed_until = NULL, lease_id = NULL
         WHERE id = $3 AND lease_id = $4",
    )
    .bind(run_at)
    .bind(error.to_owned())
    .bind(claim.id.clone())
    .bind(claim.lease_id.clone())
    .execute(db)
    .await
    .map(|done| done.rows_affected() == 1)
}

/// Re-enqueues a recurring job for its next occurrence by moving its own row, so the dedup
/// key keeps holding and the table does not grow. The attempts start again; `error` is kept
/// when this occurrence was given up, and cleared when it succeeded.
pub async fn reschedule<'c, E>(
    db: E,
    claim: &ClaimedJob,
    run_at: i64,
    error: Option<&str>,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE jobs SET run_at = $1, attempts = 0, last_error = $2, claimed_until = NULL,
                         lease_id = NULL
         WHERE id = $3 AND lease_id = $4",
    )
    .bind(run_at)
    .bind(error.map(str::to_owned))
    .bind(claim.id.clone())
    .bind(claim.lease_id.clone())
    .execute(db)
    .await
    .map(|done| done.rows_affected() == 1)
}

/// Forgets jobs finished before `before`; they were kept only to be looked at.
pub async fn delete_finished_before<'c, E>(db: E, before: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < $1")
        .bind(before)
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
