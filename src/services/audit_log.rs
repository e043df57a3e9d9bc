//! An organization's audit log, as its admins read it: filtered pages, and the whole filtered
//! log for export, read from the database a batch at a time.
use futures_util::Stream;
use futures_util::stream;

use crate::domain::audit_filter::AuditFilter;
use crate::domain::{AuditEntry, OrganizationId};
use crate::services::paging::{PER_PAGE, Page};
use crate::services::{Error, Result};
use crate::state::AppState;
use crate::store::{Store, audit};

/// How many events an export reads per query.
const EXPORT_BATCH: i64 = 500;

/// A page of the organization's events passing `filter`, newest first.
pub async fn page(
    state: &AppState,
    org: &OrganizationId,
    filter: &AuditFilter,
    before: Option<&str>,
) -> Result<Page<AuditEntry>> {
    let events = audit::list_for_org(state.store.pool(), org, filter, before, PER_PAGE).await?;
    Ok(Page::of(events, |e| e.id.clone()))
}

/// Every event of the organization passing `filter`, newest first, as batches: memory stays
/// flat however long the log, and the first batch goes out before the last is read.
pub fn export(
    store: Store,
    org: OrganizationId,
    filter: AuditFilter,
) -> impl Stream<Item = Result<Vec<AuditEntry>>> + 'static {
    // The cursor is the id of the last event sent; `None` once the log is exhausted.
    stream::try_unfold(Some(String::new()), move |cursor| {
        let (store, org, filter) = (store.clone(), org.clone(), filter.clone());
        async move {
            let Some(cursor) = cursor else {
                return Ok::<_, Error>(None);
            };
            let before = (!cursor.is_empty()).then_some(cursor.as_str());
            let batch =
                audit::list_for_org(store.pool(), &org, &filter, before, EXPORT_BATCH).await?;
            if batch.is_empty() {
                return Ok(None);
            }
            let next = (batch.len() as i64 == EXPORT_BATCH)
                .then(|| batch.last().map(|e| e.id.clone()))
                .flatten();
            Ok(Some((batch, next)))
        }
    })
}
