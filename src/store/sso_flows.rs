//! Sign-ins sent to an identity provider and not back yet: what the answer is checked
//! against, kept in the database so that any instance can finish a flow another started.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::{ConnectionId, UserId};

/// How long a person may take at their identity provider.
pub const FLOW_TTL_SECS: i64 = 10 * 60;

#[derive(Debug, Clone, FromRow)]
pub struct SsoFlow {
    pub state: String,
    pub browser_hash: String,
    pub connection_id: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub test_by: Option<String>,
    pub expires_at: i64,
}

impl SsoFlow {
    pub fn connection(&self) -> ConnectionId {
        ConnectionId::from_stored(self.connection_id.clone())
    }

    pub fn tester(&self) -> Option<UserId> {
        self.test_by.clone().map(UserId::from_stored)
    }
}

pub async fn insert<'c, E>(db: E, flow: &SsoFlow) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO sso_flows (state, browser_hash, connection_id, nonce, pkce_verifier,
                                return_to, test_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(flow.state.clone())
    .bind(flow.browser_hash.clone())
    .bind(flow.connection_id.clone())
    .bind(flow.nonce.clone())
    .bind(flow.pkce_verifier.clone())
    .bind(flow.return_to.clone())
    .bind(flow.test_by.clone())
    .bind(flow.expires_at)
    .execute(db)
    .await
    .map(drop)
}

/// Takes the flow `state` names, once: of two callbacks with the same state, one gets it.
/// An expired flow is taken too, and refused by the caller.
pub async fn take<'c, E>(db: E, state: &str) -> Result<Option<SsoFlow>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, SsoFlow>(
        "DELETE FROM sso_flows WHERE state = $1
         RETURNING state, browser_hash, connection_id, nonce, pkce_verifier, return_to, test_by,
                   expires_at",
    )
    .bind(state.to_owned())
    .fetch_optional(db)
    .await
}

pub async fn delete_expired<'c, E>(db: E) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM sso_flows WHERE expires_at <= $1")
        .bind(now())
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
