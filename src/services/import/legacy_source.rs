//! "Import the rest": an import that reads a SQL legacy store's users with its keyset-paged
//! all-users query instead of a file. The job's position counts the users read, its cursor
//! is the last legacy id imported, so that it resumes after a restart like a file import.
//! Users who came over already (at a sign-in, or in an earlier import) are skipped.
use super::reader::{Position, Row};
use super::{CHUNK_ROWS, Refused};
use crate::domain::import::ImportRecord;
use crate::domain::legacy::{LegacyConnection, Mode};
use crate::domain::{ConnectionId, User};
use crate::sealing::Sealer;
use crate::services::legacy::LegacyError;
use crate::services::legacy::LegacyStores;
use crate::services::legacy::sql::After;
use crate::services::{Error, Result};
use crate::store::imports::{self, ImportJob, NewImport};
use crate::store::{Store, is_unique_violation, legacy_connections, now};
use crate::worker::{self, Job, import::RunImport};

/// What an import needs to read a legacy store.
#[derive(Clone)]
pub struct LegacyAccess {
    pub sealer: Sealer,
    pub stores: LegacyStores,
}

/// Creates and queues the import of every user of `legacy` not yet brought over, into the password
/// connection of the organizations it is enabled for; the import's id.
pub async fn create(
    store: &Store,
    access: &LegacyAccess,
    legacy: &LegacyConnection,
    by: Option<&User>,
) -> std::result::Result<String, Refused> {
    let Some(query) = legacy
        .all_users_query
        .as_deref()
        .filter(|_| legacy.can_import_the_rest())
    else {
        return Err(Refused::Legacy(
            "this legacy store has no all-users query to read its users with".into(),
        ));
    };
    if legacy.mode == Mode::Proxy {
        return Err(Refused::Legacy(
            "a proxied store keeps its passwords: import the rest works in migrate mode".into(),
        ));
    }
    let db = store.pool();
    let target = target_connection(store, &legacy.connection_id).await?;
    if imports::running_for_source(db, &legacy.connection_id).await? {
        return Err(already_running());
    }
    let database = access
        .stores
        .database(&access.sealer, legacy)
        .map_err(|err| Refused::Legacy(err.to_string()))?;
    let total = database
        .count(query, legacy.id_type)
        .await
        .map_err(|err| Refused::Legacy(err.to_string()))?;
    let id = uuid::Uuid::now_v7().to_string();
    // Created, audited and queued together: an import that exists runs.
    let mut tx = store.begin().await?;
    let inserted = imports::insert(
        &mut *tx,
        NewImport {
            id: &id,
            connection: &target,
            organization: None,
            role: None,
            format: "legacy",
            file_path: "",
            file_size: total,
            update_existing: false,
            created_by: by.map(|user| &user.id),
            source: Some(&legacy.connection_id),
        },
    )
    .await;
    match inserted {
        // Another import of this store was queued meanwhile (one may run at a time).
        Err(err) if is_unique_violation(&err) => return Err(already_running()),
        other => other?,
    }
    let details = serde_json::json!({
        "import": id,
        "legacy_store": legacy.name,
        "users": total,
    });
    super::record_started(&mut *tx, &id, by, details).await?;
    let job = Job::RunImport(RunImport {
        import_id: id.clone(),
    });
    worker::enqueue(&mut *tx, &job, now())
        .await
        .map_err(Error::from)?;
    tx.commit().await?;
    Ok(id)
}

fn already_running() -> Refused {
    Refused::Legacy("an import of this legacy store is already running".into())
}

/// The password connection a legacy store's users belong in: that of the organizations it
/// is enabled for, which must be one.
pub async fn target_connection(
    store: &Store,
    legacy: &ConnectionId,
) -> std::result::Result<ConnectionId, Refused> {
    let orgs = legacy_connections::organizations(store.pool(), legacy).await?;
    let Some(connection) = orgs.first().map(|org| &org.connection_id) else {
        return Err(Refused::Legacy(
            "enable this legacy store for an organization first: its users join the \
             organizations it is enabled for"
                .into(),
        ));
    };
    if orgs.iter().any(|org| &org.connection_id != connection) {
        return Err(Refused::Legacy(
            "this legacy store is enabled for organizations with separate user stores; \
             import the rest works for organizations that share one"
                .into(),
        ));
    }
    Ok(connection.clone())
}

/// The next page of the store's users as import rows, with the last id read; an error when
/// the store cannot be read now (the job is tried again later) or the import is broken.
pub async fn read_page(
    store: &Store,
    access: Option<&LegacyAccess>,
    job: &ImportJob,
) -> Result<std::result::Result<(Vec<Row>, Option<String>), String>> {
    let Some(access) = access else {
        return Ok(Err(
            "this import reads a legacy store: the server runs it".into()
        ));
    };
    let source = job
        .source_connection_id
        .clone()
        .map(ConnectionId::from_stored)
        .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("a legacy import without its store")))?;
    let Some(legacy) = legacy_connections::find(store.pool(), &source).await? else {
        return Ok(Err("the legacy store was removed".into()));
    };
    let Some(query) = legacy.all_users_query.as_deref() else {
        return Ok(Err(
            "the legacy store has no all-users query any more".into()
        ));
    };
    let after = After::resume(legacy.id_type, job.cursor.as_deref());
    let page = match access.stores.database(&access.sealer, &legacy) {
        Ok(database) => database.page(query, &after, CHUNK_ROWS as i64).await,
        Err(err) => Err(err),
    };
    let users = match page {
        Ok(users) => users,
        Err(LegacyError::Misconfigured(why)) => return Ok(Err(why)),
        // Tried again later by the job runner.
        Err(LegacyError::Unavailable(why) | LegacyError::Busy(why)) => {
            return Err(Error::Unexpected(anyhow::anyhow!(
                "the legacy store: {why}"
            )));
        }
    };
    let last = users.last().map(|user| user.id.clone());
    let rows = users
        .into_iter()
        .enumerate()
        .map(|(i, user)| {
            let n = job.line + i as i64 + 1;
            Row {
                line: n,
                after: Position {
                    offset: u64::try_from(job.position + i as i64 + 1).unwrap_or(0),
                    line: n,
                },
                record: ImportRecord::from_legacy(
                    &user.id,
                    &user.email,
                    user.name.as_deref(),
                    user.email_verified,
                    user.password_hash.as_deref(),
                ),
                email: Some(user.email),
            }
        })
        .collect();
    Ok(Ok((rows, last)))
}
