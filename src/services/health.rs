//! What the probes ask: can this instance reach its database?
use crate::state::AppState;

/// True when the database answers a trivial query.
pub async fn database_reachable(state: &AppState) -> bool {
    state.store.is_ready().await
}
