//! Fixed-window request counters shared by every instance through the database.
use sqlx::{Any, Executor};

/// Counts one request in `bucket` for the window starting at `window_start`; returns the
/// window's count including this one.
pub async fn hit<'c, E>(db: E, bucket: &str, window_start: i64) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
         RETURNING hits",
    )
    .bind(bucket.to_owned())
    .bind(window_start)
    .fetch_one(db)
    .await
}

/// The count of a window (0 when it saw no request).
pub async fn count<'c, E>(db: E, bucket: &str, window_start: i64) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let hits: Option<i64> =
        sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = $2")
            .bind(bucket.to_owned())
            .bind(window_start)
            .fetch_optional(db)
            .await?;
    Ok(hits.unwrap_or(0))
}

pub async fn delete_before<'c, E>(db: E, window_start: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
        .bind(window_start)
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
