//! Bulk imports of users: a file (Auth0's JSON array, NDJSON, or CSV) is checked whole first,
//! so that a malformed one imports nothing, then imported a chunk of rows per transaction.
//! Each chunk moves the import's position with its rows, so that an import stopped anywhere
//! (a restart, a killed process) goes on from the last chunk committed: no row twice, none lost.
pub mod legacy_source;
pub mod reader;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::domain::audit::{Actor, AuditAction, NewAuditEvent};
use crate::domain::import::{ImportFormat, ImportRecord, RowError};
use crate::domain::{Connection, ConnectionId, OrganizationId, Role, User, UserId};
use crate::services::{Error, Result};
use crate::store::imports::{self, ChunkCounts, ImportJob, NewImport};
use crate::store::{
    Store, Tx, audit, connections, legacy_connections, memberships, organizations, users,
};
use crate::worker::{self, Job, import::RunImport};
pub use legacy_source::LegacyAccess;
use reader::{FileError, Position, Reader, Row};

/// Rows imported per transaction.
pub const CHUNK_ROWS: usize = 5000;

/// What an import is asked to do.
pub struct ImportRequest<'a> {
    pub connection: &'a str,
    pub organization: Option<&'a str>,
    pub role: Role,
    pub path: &'a Path,
    pub format: Option<ImportFormat>,
    pub update_existing: bool,
    pub by: Option<&'a User>,
}

/// Why an import was not queued, in words for the operator.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("no connection is named {0}")]
    UnknownConnection(String),
    #[error("no organization has the address {0}")]
    UnknownOrganization(String),
    #[error("name the format: the file's name does not end in .json, .ndjson or .csv")]
    UnknownFormat,
    #[error("the file is malformed, so nothing was imported: {0}")]
    Malformed(#[from] FileError),
    #[error("{0}")]
    Legacy(String),
    #[error(transparent)]
    Failed(#[from] Error),
}

impl From<sqlx::Error> for Refused {
    fn from(err: sqlx::Error) -> Self {
        Self::Failed(err.into())
    }
}

/// Checks the file and queues its import; the import's id.
pub async fn create(
    store: &Store,
    request: ImportRequest<'_>,
) -> std::result::Result<String, Refused> {
    let db = store.pool();
    let connection: Connection = connections::find_by_name(db, request.connection)
        .await?
        .ok_or_else(|| Refused::UnknownConnection(request.connection.to_owned()))?;
    let organization = match request.organization {
        Some(slug) => Some(
            organizations::find_by_slug(db, slug)
                .await?
                .ok_or_else(|| Refused::UnknownOrganization(slug.to_owned()))?
                .id,
        ),
        None => None,
    };
    let format = request
        .format
        .or_else(|| ImportFormat::of_file_name(&request.path.to_string_lossy()))
        .ok_or(Refused::UnknownFormat)?;
    let path: PathBuf = std::fs::canonicalize(request.path).map_err(|err| FileError {
        line: 0,
        message: format!("cannot open the file: {err}"),
    })?;
    let checked = path.clone();
    tokio::task::spawn_blocking(move || reader::check(&checked, format))
        .await
        .map_err(Error::from)??;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let id = uuid::Uuid::now_v7().to_string();
    let file_path = path.to_string_lossy();
    imports::insert(
        db,
        NewImport {
            id: &id,
            connection: &connection.id,
            organization: organization.as_ref(),
            role: organization.as_ref().map(|_| request.role),
            format: format.as_str(),
            file_path: &file_path,
            file_size: i64::try_from(size).unwrap_or(i64::MAX),
            update_existing: request.update_existing,
            created_by: request.by.map(|user| &user.id),
            source: None,
        },
    )
    .await?;
    let details = serde_json::json!({
        "import": id,
        "connection": connection.name,
        "format": format.as_str(),
        "update_existing": request.update_existing,
    });
    record_started(db, &id, request.by, details).await?;
    Ok(id)
}

/// Records in the audit log that import `id` was started (by `by`, or from the command line).
async fn record_started<'c, E>(
    db: E,
    id: &str,
    by: Option<&User>,
    details: serde_json::Value,
) -> Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let actor = Actor {
        user_id: by.map(|user| user.id.clone()),
        email: by.map(|user| user.email.to_string()),
        client_ip: None,
    };
    audit::insert(
        db,
        NewAuditEvent {
            actor: &actor,
            action: AuditAction::ImportStarted,
            organization: None,
            target: None,
            summary: format!("import {id}"),
            details,
        },
    )
    .await?;
    Ok(())
}

/// Hands import `id` to the job runner of whichever instance claims it first.
pub async fn queue(store: &Store, id: &str) -> Result<()> {
    let job = Job::RunImport(RunImport {
        import_id: id.to_owned(),
    });
    worker::enqueue(store.pool(), &job, crate::store::now()).await?;
    Ok(())
}

/// The newest imports, for the operator's list.
pub async fn recent(store: &Store) -> Result<Vec<ImportJob>> {
    Ok(imports::list_recent(store.pool(), 20).await?)
}

/// The connections users can be imported into.
pub async fn targets(store: &Store) -> Result<Vec<Connection>> {
    Ok(connections::list_password(store.pool()).await?)
}

/// Writes the rows import `id` did not take to `out` as CSV (`line,email,reason`), in file
/// order, read a page at a time.
pub async fn write_failures<W: std::io::Write>(store: &Store, id: &str, out: W) -> Result<W> {
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record(["line", "email", "reason"])
        .context("writing the report")?;
    let mut after = 0;
    loop {
        let page = imports::failures_page(store.pool(), id, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for failure in &page {
            let line = failure.line.to_string();
            let email = failure.email.as_deref().unwrap_or("");
            writer
                .write_record([line.as_str(), email, &failure.reason])
                .context("writing the report")?;
        }
    }
    Ok(writer
        .into_inner()
        .map_err(|err| anyhow::anyhow!("writing the report: {err}"))?)
}

pub async fn find(store: &Store, id: &str) -> Result<ImportJob> {
    imports::find(store.pool(), id)
        .await?
        .ok_or(Error::NotFound)
}

/// Imports chunk after chunk until the file (or legacy store) ends, or `max_chunks` have run;
/// the import as it stands then. Another worker running the same import at the same time
/// gets no chunk twice: each chunk commits only if the import is still where it started.
///
/// A file's next chunk is read (on a blocking thread) while the current one is written, so
/// that parsing and the database each keep a core busy.
pub async fn run(
    store: &Store,
    legacy: Option<&LegacyAccess>,
    id: &str,
    max_chunks: Option<usize>,
) -> Result<ImportJob> {
    let mut chunks = 0;
    let mut next: Option<ReadAhead> = None;
    loop {
        let job = find(store, id).await?;
        if !matches!(job.status.as_str(), "queued" | "running") {
            return Ok(job);
        }
        if max_chunks.is_some_and(|max| chunks >= max) {
            return Ok(job);
        }
        let chunk = if job.source_connection_id.is_some() {
            legacy_source::read_page(store, legacy, &job).await?
        } else {
            let from = Position {
                offset: u64::try_from(job.position).unwrap_or(0),
                line: job.line,
            };
            let rows = match next.take() {
                // Read ahead from where this import now stands: the chunk it needs.
                Some(ahead) if ahead.from == from => ahead.rows.await??,
                _ => read_file_chunk(&job, from).await?,
            };
            if let Ok(Some(last)) = rows.as_ref().map(|rows| rows.last()) {
                let going_on = max_chunks.is_none_or(|max| chunks + 1 < max);
                if going_on {
                    next = Some(ReadAhead::start(&job, last.after));
                }
            }
            rows.map(|rows| (rows, None))
                .map_err(|fault| fault.to_string())
        };
        match chunk {
            Ok((rows, _)) if rows.is_empty() => {
                imports::finish(store.pool(), id, None).await?;
            }
            Ok((rows, cursor)) => import_chunk(store, &job, rows, cursor.as_deref()).await?,
            Err(fault) => {
                imports::finish(store.pool(), id, Some(&fault)).await?;
            }
        }
        chunks += 1;
    }
}

type ChunkRead = std::result::Result<Vec<Row>, FileError>;

/// The chunk of a file after `from`, being read on a blocking thread.
struct ReadAhead {
    from: Position,
    rows: tokio::task::JoinHandle<Result<ChunkRead>>,
}

impl ReadAhead {
    fn start(job: &ImportJob, from: Position) -> Self {
        let job = job.clone();
        Self {
            from,
            rows: tokio::spawn(async move { read_file_chunk(&job, from).await }),
        }
    }
}

/// Up to `CHUNK_ROWS` rows of the import's file from `from`, read off the async threads.
async fn read_file_chunk(job: &ImportJob, from: Position) -> Result<ChunkRead> {
    let format = ImportFormat::parse(&job.format).context("an import of an unknown format")?;
    let path = PathBuf::from(&job.file_path);
    Ok(tokio::task::spawn_blocking(move || {
        let mut reader = Reader::open(&path, format, from)?;
        let mut rows = Vec::with_capacity(CHUNK_ROWS);
        while rows.len() < CHUNK_ROWS {
            match reader.next_row()? {
                Some(row) => rows.push(row),
                None => break,
            }
        }
        Ok(rows)
    })
    .await?)
}

struct Target {
    connection: ConnectionId,
    /// Where the users come from, as `user_migrations` records it: the legacy store read,
    /// or for a file the connection it is imported into.
    source: ConnectionId,
    /// Everyone imported joins these organizations.
    organizations: Vec<(OrganizationId, Role)>,
    update_existing: bool,
}

async fn target(store: &Store, job: &ImportJob) -> Result<Target> {
    let connection = ConnectionId::from_stored(job.connection_id.clone());
    let role = job
        .role
        .as_deref()
        .and_then(Role::from_stored)
        .unwrap_or(Role::Member);
    let mut organizations: Vec<(OrganizationId, Role)> = job
        .organization_id
        .clone()
        .map(|org| (OrganizationId::from_stored(org), role))
        .into_iter()
        .collect();
    let source = match &job.source_connection_id {
        Some(source) => {
            let source = ConnectionId::from_stored(source.clone());
            let enabled = legacy_connections::organizations(store.pool(), &source).await?;
            organizations.extend(
                enabled
                    .into_iter()
                    .filter(|org| org.connection_id == connection)
                    .map(|org| (org.id, Role::Member)),
            );
            source
        }
        None => connection.clone(),
    };
    Ok(Target {
        connection,
        source,
        organizations,
        update_existing: job.update_existing != 0,
    })
}

async fn import_chunk(
    store: &Store,
    job: &ImportJob,
    rows: Vec<Row>,
    cursor: Option<&str>,
) -> Result<()> {
    let target = target(store, job).await?;
    let mut tx = store.begin().await?;
    let mut counts = ChunkCounts::default();
    let last = rows.last().map_or(
        Position {
            offset: u64::try_from(job.position).unwrap_or(0),
            line: job.line,
        },
        |row| row.after,
    );
    let mut records = Vec::with_capacity(rows.len());
    let mut outcomes = Vec::new();
    for row in rows {
        match row.record {
            Ok(record) => records.push((key(&row.after, row.line), record)),
            Err(error) => {
                let email = row.email.filter(|email| !email.trim().is_empty());
                outcomes.push((key(&row.after, row.line), email, Err(error)));
            }
        }
    }
    let batch_rows = store.insert_batch().min(users::MAX_INSERT_BATCH);
    for batch in records.chunks(batch_rows) {
        for (line, record, outcome) in import_batch(&mut tx, &job.id, &target, batch).await? {
            outcomes.push((line, Some(record.email.to_string()), outcome));
        }
    }
    for (line, email, outcome) in outcomes {
        let reason = match outcome {
            Ok(Imported::Created) => {
                counts.created += 1;
                continue;
            }
            Ok(Imported::Updated) => {
                counts.updated += 1;
                continue;
            }
            Err(RowError::AlreadyExists) => {
                counts.skipped += 1;
                RowError::AlreadyExists.message()
            }
            Err(error) => {
                counts.failed += 1;
                error.message()
            }
        };
        imports::record_failure(&mut *tx, &job.id, line, email.as_deref(), reason).await?;
    }
    let to = (i64::try_from(last.offset).unwrap_or(i64::MAX), last.line);
    if imports::advance(&mut *tx, &job.id, job.position, to, cursor, counts).await? {
        tx.commit().await?;
    }
    Ok(())
}

type Outcome = std::result::Result<Imported, RowError>;

/// A row's key in the report: the byte after it, and its line.
type RowKey = (i64, i64);

fn key(after: &Position, line: i64) -> RowKey {
    (i64::try_from(after.offset).unwrap_or(i64::MAX), line)
}

/// Creates a batch of users with one statement, then settles the rows whose email was taken
/// (an earlier row of the file, or a user who exists) one by one.
async fn import_batch<'r>(
    tx: &mut Tx,
    import: &str,
    target: &Target,
    batch: &'r [(RowKey, ImportRecord)],
) -> Result<Vec<(RowKey, &'r ImportRecord, Outcome)>> {
    let forms: Vec<users::UserInsertForm<'_>> = batch
        .iter()
        .map(|(_, record)| users::UserInsertForm {
            connection_id: &target.connection,
            email: &record.email,
            name: &record.name,
            password_hash: record.password_hash.as_deref(),
            email_verified: record.email_verified,
            operator: false,
        })
        .collect();
    let mut created: std::collections::HashMap<String, crate::domain::User> =
        users::insert_many_unless_taken(&mut **tx, &forms)
            .await?
            .into_iter()
            .map(|user| (user.email.to_string(), user))
            .collect();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut migrated = Vec::new();
    let mut taken = Vec::new();
    for (line, record) in batch {
        // The first row of an email created it; a later one is settled as a taken email,
        // once the users created here are recorded as this import's.
        let Some(user) = created.remove(record.email.as_str()) else {
            taken.push((*line, record));
            continue;
        };
        if record.blocked {
            users::set_blocked(&mut **tx, &user.id, true).await?;
        }
        for (org, role) in &target.organizations {
            memberships::insert(&mut **tx, org, &user, *role).await?;
        }
        migrated.push((user.id, record.legacy_id.as_deref()));
        outcomes.push((*line, record, Ok(Imported::Created)));
    }
    let migrated: Vec<(&UserId, Option<&str>)> =
        migrated.iter().map(|(id, legacy)| (id, *legacy)).collect();
    imports::record_migrations(&mut **tx, &migrated, &target.source, import).await?;
    for (line, record) in taken {
        outcomes.push((
            line,
            record,
            settle_taken(tx, import, target, record).await?,
        ));
    }
    Ok(outcomes)
}

enum Imported {
    Created,
    Updated,
}

/// A row whose email the connection has: a duplicate of an earlier row of this file, an
/// existing user to update when asked, or one to leave as it is.
async fn settle_taken(
    tx: &mut Tx,
    import: &str,
    target: &Target,
    record: &ImportRecord,
) -> Result<Outcome> {
    // The email is taken: by an earlier row of this very file, or by an existing user.
    let importer = imports::importer_of(&mut **tx, &target.connection, &record.email).await?;
    if importer.flatten().as_deref() == Some(import) {
        return Ok(Err(RowError::DuplicateInFile));
    }
    if !target.update_existing {
        return Ok(Err(RowError::AlreadyExists));
    }
    let Some(user) = users::find_by_email(&mut **tx, &target.connection, &record.email).await?
    else {
        return Ok(Err(RowError::AlreadyExists));
    };
    imports::update_user(
        &mut **tx,
        &user,
        record.name.as_str(),
        record.password_hash.as_deref(),
        record.email_verified,
    )
    .await?;
    for (org, role) in &target.organizations {
        if memberships::find_role(&mut **tx, org, &user.id)
            .await?
            .is_none()
        {
            memberships::insert(&mut **tx, org, &user, *role).await?;
        }
    }
    Ok(Ok(Imported::Updated))
}
