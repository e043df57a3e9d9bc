//! Bulk imports: the jobs with their progress, the rows they could not take, and the users
//! they brought.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::{ConnectionId, Email, OrganizationId, Role, User, UserId};

#[derive(Debug, Clone, FromRow)]
pub struct ImportJob {
    pub id: String,
    pub connection_id: String,
    pub organization_id: Option<String>,
    pub role: Option<String>,
    pub format: String,
    pub file_path: String,
    pub file_size: i64,
    pub update_existing: i64,
    pub status: String,
    pub position: i64,
    pub line: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
    pub error: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// The legacy store an import of the rest reads, and the last of its ids imported.
    pub source_connection_id: Option<String>,
    pub cursor: Option<String>,
}

macro_rules! import_columns {
    () => {
        "id, connection_id, organization_id, role, format, file_path, file_size, update_existing,
         status, position, line, created, updated, skipped, failed, error, created_at,
         started_at, finished_at, source_connection_id, cursor"
    };
}

pub struct NewImport<'a> {
    pub id: &'a str,
    pub connection: &'a ConnectionId,
    pub organization: Option<&'a OrganizationId>,
    pub role: Option<Role>,
    pub format: &'a str,
    pub file_path: &'a str,
    pub file_size: i64,
    pub update_existing: bool,
    pub created_by: Option<&'a UserId>,
    /// The legacy store read instead of a file.
    pub source: Option<&'a ConnectionId>,
}

pub async fn insert<'c, E>(db: E, job: NewImport<'_>) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO import_jobs (id, connection_id, organization_id, role, format, file_path,
                                  file_size, update_existing, status, created_by, created_at,
                                  source_connection_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10, $11)",
    )
    .bind(job.id.to_owned())
    .bind(job.connection.as_str().to_owned())
    .bind(job.organization.map(|org| org.as_str().to_owned()))
    .bind(job.role.map(|role| role.as_str()))
    .bind(job.format.to_owned())
    .bind(job.file_path.to_owned())
    .bind(job.file_size)
    .bind(i64::from(job.update_existing))
    .bind(job.created_by.map(|user| user.as_str().to_owned()))
    .bind(now())
    .bind(job.source.map(|source| source.as_str().to_owned()))
    .execute(db)
    .await
    .map(drop)
}

pub async fn find<'c, E>(db: E, id: &str) -> Result<Option<ImportJob>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(concat!(
        "SELECT ",
        import_columns!(),
        " FROM import_jobs WHERE id = $1"
    ))
    .bind(id.to_owned())
    .fetch_optional(db)
    .await
}

/// What one chunk of rows did.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChunkCounts {
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
}

/// Moves the import from `from` to `to` with the chunk's counts (and, reading a legacy
/// store, its cursor to the last id read), in the chunk's transaction. False when the import is no longer at `from` (another worker took this chunk): the caller
/// rolls back, and nothing is counted twice.
pub async fn advance<'c, E>(
    db: E,
    id: &str,
    from: i64,
    to: (i64, i64),
    cursor: Option<&str>,
    counts: ChunkCounts,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE import_jobs SET position = $1, line = $2, created = created + $3,
                updated = updated + $4, skipped = skipped + $5, failed = failed + $6,
                status = 'running', started_at = COALESCE(started_at, $7),
                cursor = COALESCE($10, cursor)
         WHERE id = $8 AND position = $9 AND status IN ('queued', 'running')",
    )
    .bind(to.0)
    .bind(to.1)
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.skipped)
    .bind(counts.failed)
    .bind(now())
    .bind(id.to_owned())
    .bind(from)
    .bind(cursor.map(str::to_owned))
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn finish<'c, E>(db: E, id: &str, error: Option<&str>) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE import_jobs SET status = $1, error = $2, finished_at = $3,
                started_at = COALESCE(started_at, $3)
         WHERE id = $4 AND status IN ('queued', 'running')",
    )
    .bind(if error.is_some() { "failed" } else { "done" })
    .bind(error.map(str::to_owned))
    .bind(now())
    .bind(id.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// A row that was not imported: where it ends (`position`), its line, email and reason.
pub async fn record_failure<'c, E>(
    db: E,
    id: &str,
    (position, line): (i64, i64),
    email: Option<&str>,
    reason: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO import_failures (import_id, position, line, email, reason)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (import_id, position) DO NOTHING",
    )
    .bind(id.to_owned())
    .bind(position)
    .bind(line)
    .bind(email.map(str::to_owned))
    .bind(reason.to_owned())
    .execute(db)
    .await
    .map(drop)
}

#[derive(Debug, Clone, FromRow)]
pub struct Failure {
    pub position: i64,
    pub line: i64,
    pub email: Option<String>,
    pub reason: String,
}

/// The failed rows after `after` (a position), in file order, `limit` at a time.
pub async fn failures_page<'c, E>(
    db: E,
    id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<Failure>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "SELECT position, line, email, reason FROM import_failures
         WHERE import_id = $1 AND position > $2 ORDER BY position LIMIT $3",
    )
    .bind(id.to_owned())
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Records that `users` came over in import `import`, from `connection` (the legacy store
/// read, or the connection a file was imported into), in one statement (at most
/// `users::MAX_INSERT_BATCH`).
pub async fn record_migrations<'c, E>(
    db: E,
    users: &[(&UserId, Option<&str>)],
    connection: &ConnectionId,
    import: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    if users.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO user_migrations (user_id, connection_id, how, import_id, legacy_id,
                                      migrated_at) VALUES ",
    );
    for i in 0..users.len() {
        let n = i * 2;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("(${}, $1, 'import', $2, ${}, $3)", n + 4, n + 5));
    }
    sql.push_str(" ON CONFLICT (user_id) DO NOTHING");
    // The text is built from placeholders only; every value is bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(connection.as_str().to_owned())
        .bind(import.to_owned())
        .bind(now());
    for (user, legacy_id) in users {
        query = query
            .bind(user.as_str().to_owned())
            .bind(legacy_id.map(str::to_owned));
    }
    query.execute(db).await.map(drop)
}

/// The import that brought the user with `email` at `connection`, if one did.
pub async fn importer_of<'c, E>(
    db: E,
    connection: &ConnectionId,
    email: &Email,
) -> Result<Option<Option<String>>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT m.import_id FROM users u LEFT JOIN user_migrations m ON m.user_id = u.id
         WHERE u.connection_id = $1 AND u.email = $2",
    )
    .bind(connection.as_str().to_owned())
    .bind(email.as_str().to_owned())
    .fetch_optional(db)
    .await
}

/// Replaces what an import says about an existing user (name, hash, verification).
pub async fn update_user<'c, E>(
    db: E,
    user: &User,
    name: &str,
    password_hash: Option<&str>,
    email_verified: bool,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE users SET name = $1, password_hash = COALESCE($2, password_hash),
                email_verified_at = CASE WHEN $3 = 1 THEN COALESCE(email_verified_at, $4)
                                         ELSE email_verified_at END,
                updated_at = $4
         WHERE id = $5",
    )
    .bind(name.to_owned())
    .bind(password_hash.map(str::to_owned))
    .bind(i64::from(email_verified))
    .bind(now())
    .bind(user.id.as_str().to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// The newest imports first.
pub async fn list_recent<'c, E>(db: E, limit: i64) -> Result<Vec<ImportJob>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(concat!(
        "SELECT ",
        import_columns!(),
        " FROM import_jobs ORDER BY created_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Whether an import of legacy store `source` is queued or running.
pub async fn running_for_source<'c, E>(db: E, source: &ConnectionId) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let running: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM import_jobs
         WHERE source_connection_id = $1 AND status IN ('queued', 'running')",
    )
    .bind(source.as_str().to_owned())
    .fetch_optional(db)
    .await?;
    Ok(running.is_some())
}

/// The newest imports of legacy store `source` first.
pub async fn list_for_source<'c, E>(
    db: E,
    source: &ConnectionId,
    limit: i64,
) -> Result<Vec<ImportJob>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(concat!(
        "SELECT ",
        import_columns!(),
        " FROM import_jobs WHERE source_connection_id = $1
          ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(source.as_str().to_owned())
    .bind(limit)
    .fetch_all(db)
    .await
}
