//! Mail delivery. The outbox table stays the mail queue and keeps each message's own record:
//! its attempts, its backoff (2 s doubling to 10 minutes), its last error, given up after
//! 200 attempts. A message is claimed from the outbox with a lease of its own, so each one is
//! sent by exactly one instance however many drain the outbox at once.
//!
//! Jobs decide when an instance drains it, rather than there being one job per message: the
//! outbox already holds everything a retry needs, and a second count of attempts in the jobs
//! table would drift from it. So:
//! - [`DeliverMail`] is queued in the same transaction as each message ([`crate::email::MailQueue`]),
//!   and the request wakes its runner after committing: the mail goes out at once, and a
//!   committed message has a job even if its instance stops before the wake-up.
//! - [`RetryMail`] recurs every [`RETRY_EVERY_SECS`] and drains what has become due since:
//!   retries of refused messages, and anything queued without a job.
//!
//! Either drains the outbox: whatever is due, not one particular message.
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Context;
use super::backoff::retry_delay_secs;
use crate::email::transport::Transport;
use crate::store::outbox;

/// Delivers the mail that is due now; queued with each message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverMail {}

/// Delivers the mail that has become due since the last run: retries, mostly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryMail {}

/// The shortest backoff is 2 s, so a retry is at most this late.
pub const RETRY_EVERY_SECS: i64 = 2;
/// A failed drain means the database failed; each message keeps its own count meanwhile.
pub const DELIVER_MAX_ATTEMPTS: i64 = 10;
pub const RETRY_MAX_ATTEMPTS: i64 = 5;

/// How long a claimed message is reserved for the claiming instance.
const MESSAGE_LEASE_SECS: i64 = 120;
/// After this many failed attempts (about a day and a half of retries) a message is given up:
/// an address the server keeps refusing must not be retried forever.
const MESSAGE_MAX_ATTEMPTS: i64 = 200;
/// A drain stops claiming messages after this long, well inside the job's lease; what is left
/// goes to the next drain, on this instance or another.
const DRAIN_BUDGET: Duration = Duration::from_secs(60);

impl DeliverMail {
    pub(super) async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        drain(ctx).await
    }
}

impl RetryMail {
    pub(super) async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        drain(ctx).await
    }
}

async fn drain(ctx: &Context) -> anyhow::Result<()> {
    let started = tokio::time::Instant::now();
    while started.elapsed() < DRAIN_BUDGET && deliver_next(ctx).await? {}
    Ok(())
}

/// Sends one due message; false when there was none. A refused message is the message's
/// failure, recorded in the outbox, not the job's: only a database error fails the job.
async fn deliver_next(ctx: &Context) -> Result<bool, sqlx::Error> {
    let db = ctx.store.pool();
    let Some(message) = outbox::claim_due(db, MESSAGE_LEASE_SECS).await? else {
        return Ok(false);
    };
    match ctx.transport.send(&ctx.from, &message).await {
        // The dev outbox keeps bodies for /dev/mail; a real server's copy is the only one.
        Ok(()) if matches!(ctx.transport, Transport::DevOutbox(_)) => {
            outbox::mark_sent(db, &message.id).await?;
            tracing::info!(id = %message.id, subject = %message.subject, "mail delivered");
        }
        Ok(()) => {
            outbox::mark_sent_forgetting_bodies(db, &message.id).await?;
            tracing::info!(id = %message.id, subject = %message.subject, "mail delivered");
        }
        Err(err) if message.attempts >= MESSAGE_MAX_ATTEMPTS => {
            tracing::error!(id = %message.id, error = ?err,
                            "mail given up after {MESSAGE_MAX_ATTEMPTS} attempts");
            outbox::mark_abandoned(db, &message.id, &format!("{err:#}")).await?;
        }
        Err(err) => {
            let retry_in = retry_delay_secs(message.attempts);
            tracing::warn!(id = %message.id, attempts = message.attempts, retry_in,
                           error = ?err, "mail delivery failed; will retry");
            outbox::mark_failed(db, &message.id, &format!("{err:#}"), retry_in).await?;
        }
    }
    Ok(true)
}
