//! The dev outbox: every mail Usher queued, for reading on the machine itself.
use crate::domain::QueuedMail;
use crate::services::Result;
use crate::state::AppState;
use crate::store::outbox;

/// The newest messages.
pub async fn recent(state: &AppState) -> Result<Vec<QueuedMail>> {
    Ok(outbox::list_recent(state.store.pool(), 100).await?)
}

pub async fn find(state: &AppState, id: &str) -> Result<QueuedMail> {
    outbox::find(state.store.pool(), id)
        .await?
        .ok_or(crate::services::Error::NotFound)
}
