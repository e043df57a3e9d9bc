//! The operator's portal home: what the deployment holds and how its mail is doing.
use crate::domain::mail::MailHealth;
use crate::domain::overview::Counts;
use crate::services::Result;
use crate::state::AppState;
use crate::store::overview;

pub async fn counts(state: &AppState) -> Result<Counts> {
    Ok(overview::counts(state.store.pool()).await?)
}

pub async fn mail_health(state: &AppState) -> Result<MailHealth> {
    Ok(overview::mail_health(state.store.pool()).await?)
}
