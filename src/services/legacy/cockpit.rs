//! The migration cockpit of a legacy store: who has come over (at sign-in, in bulk, or by
//! proxy), who is still only in the legacy store, the same over time, and its imports.
use super::LegacyError;
use crate::domain::ConnectionId;
use crate::domain::legacy::{Backend, LegacyConnection};
use crate::domain::migration_chart::{self, Chart};
use crate::services::Result;
use crate::state::AppState;
use crate::store::imports::{self, ImportJob};
use crate::store::legacy_connections::EnabledOrg;
use crate::store::{legacy_connections, now};

pub struct Cockpit {
    pub legacy: LegacyConnection,
    /// The organizations it is enabled for, by name.
    pub organizations: Vec<EnabledOrg>,
    pub migrated_at_sign_in: i64,
    pub imported: i64,
    pub proxied: i64,
    /// Users only the legacy store has: a count, or why it cannot be counted now.
    pub remaining: Option<std::result::Result<i64, String>>,
    pub chart: Chart,
    /// When the chart starts and how long each of its steps is, in seconds.
    pub chart_from: i64,
    pub chart_step: i64,
    pub imports: Vec<ImportJob>,
}

pub async fn view(state: &AppState, id: &ConnectionId) -> Result<Cockpit> {
    let legacy = super::settings::find(state, id).await?;
    let db = state.store.pool();
    let counts = legacy_connections::counts(db, id).await?;
    let count = |how: &str| {
        counts
            .iter()
            .find(|(kind, _)| kind == how)
            .map_or(0, |(_, n)| *n)
    };
    let remaining = match remaining(state, &legacy).await {
        Ok(remaining) => remaining.map(Ok),
        Err(err) => Some(Err(err.to_string())),
    };
    let (chart, chart_from, chart_step) = chart(state, id).await?;
    Ok(Cockpit {
        organizations: legacy_connections::organizations(db, id).await?,
        migrated_at_sign_in: count("sign_in"),
        imported: count("import"),
        proxied: count("proxy"),
        remaining,
        chart,
        chart_from,
        chart_step,
        imports: imports::list_for_source(db, id, 10).await?,
        legacy,
    })
}

/// Users of a SQL store whose ids have not come over; `None` for a store that cannot list
/// its users (an endpoint, or no all-users query).
async fn remaining(
    state: &AppState,
    legacy: &LegacyConnection,
) -> std::result::Result<Option<i64>, LegacyError> {
    let Some(query) = legacy
        .all_users_query
        .as_deref()
        .filter(|_| legacy.backend == Backend::Sql)
    else {
        return Ok(None);
    };
    let total = state
        .legacy
        .database(&state.sealer, legacy)?
        .count(query, legacy.id_type)
        .await?;
    let migrated = legacy_connections::migrated_ids(state.store.pool(), &legacy.connection_id)
        .await
        .map_err(|err| LegacyError::Unavailable(err.to_string()))?;
    Ok(Some((total - migrated).max(0)))
}

/// Users come over per step since the first one, at sign-in and by import.
async fn chart(state: &AppState, id: &ConnectionId) -> Result<(Chart, i64, i64)> {
    let db = state.store.pool();
    let from = legacy_connections::first_migration(db, id)
        .await?
        .unwrap_or_else(now);
    let (step, steps) = migration_chart::bucketing(now() - from);
    let mut at_sign_in = vec![0; steps as usize];
    let mut imported = vec![0; steps as usize];
    for (bucket, how, count) in legacy_connections::timeline(db, id, from, step).await? {
        let series = match how.as_str() {
            "import" => &mut imported,
            _ => &mut at_sign_in,
        };
        if let Some(slot) = usize::try_from(bucket).ok().and_then(|b| series.get_mut(b)) {
            *slot += count;
        }
    }
    let chart = migration_chart::draw(&[("at sign-in", at_sign_in), ("imported", imported)]);
    Ok((chart, from, step))
}
