//! The operator blocks a user, or lets them back in. A blocked user cannot sign in; their
//! browser sessions end on their next request, their refresh tokens are revoked, and the
//! applications they were signed in to are told (back-channel logout).
use serde_json::json;

use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::{User, UserId};
use crate::services::oauth::backchannel;
use crate::services::{Error, Result};
use crate::state::AppState;
use crate::store::{application_sign_ins, audit, refresh_tokens, users};

/// Blocks `target`. An operator cannot block themselves (nobody would be left to undo it).
pub async fn block(
    state: &AppState,
    operator: &User,
    client_ip: &str,
    target: &UserId,
) -> Result<()> {
    if *target == operator.id {
        return Err(Error::Forbidden);
    }
    let user = find(state, target).await?;
    let mut tx = state.store.begin().await?;
    if users::set_blocked(&mut *tx, target, true).await? {
        refresh_tokens::revoke_for_user(&mut *tx, target).await?;
        let ended = application_sign_ins::take_for_user(&mut *tx, target.as_str()).await?;
        backchannel::queue_logouts(&mut tx, ended).await?;
        let actor = Actor::user(operator, client_ip);
        audit::insert(&mut *tx, event(&actor, &user, AuditAction::UserBlocked)).await?;
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// Lets `target` sign in again.
pub async fn unblock(
    state: &AppState,
    operator: &User,
    client_ip: &str,
    target: &UserId,
) -> Result<()> {
    let user = find(state, target).await?;
    let mut tx = state.store.begin().await?;
    if users::set_blocked(&mut *tx, target, false).await? {
        let actor = Actor::user(operator, client_ip);
        audit::insert(&mut *tx, event(&actor, &user, AuditAction::UserUnblocked)).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn find(state: &AppState, id: &UserId) -> Result<User> {
    users::find_by_id(state.store.pool(), id)
        .await?
        .ok_or(Error::NotFound)
}

fn event<'a>(actor: &'a Actor, user: &User, action: AuditAction) -> NewAuditEvent<'a> {
    NewAuditEvent {
        actor,
        action,
        organization: None,
        target: Some(AuditTarget::user(&user.id)),
        details: json!({ "email": user.email.as_str() }),
        summary: user.email.to_string(),
    }
}
