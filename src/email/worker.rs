//! The background worker of each instance: delivers queued mail and sweeps expired rows.
//! Any number of instances may run it against one database; each message is claimed by
//! exactly one of them at a time.
use std::time::Duration;

use lettre::message::Mailbox;

use super::MailQueue;
use super::transport::Transport;
use crate::store::{
    self, Store, account_failures, known_browsers, outbox, rate_limits, sessions, sign_in_failures,
    signups,
};

/// How long a claimed message is reserved for the claiming instance.
const LEASE_SECS: i64 = 120;
/// Idle instances look for work (from other instances, or due retries) this often.
const POLL: Duration = Duration::from_secs(1);
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// After this many failed attempts (about a day and a half of retries) a message is given up:
/// an address the server keeps refusing must not be retried forever.
const MAX_ATTEMPTS: i64 = 200;

pub struct MailWorker {
    pub store: Store,
    pub transport: Transport,
    pub from: Mailbox,
    pub queue: MailQueue,
}

impl MailWorker {
    pub async fn run(self) {
        let mut last_sweep = tokio::time::Instant::now();
        loop {
            match self.deliver_next().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(err) => tracing::error!(error = ?err, "mail worker could not reach the outbox"),
            }
            if last_sweep.elapsed() >= SWEEP_EVERY {
                self.sweep().await;
                last_sweep = tokio::time::Instant::now();
            }
            let _ = tokio::time::timeout(POLL, self.queue.notified()).await;
        }
    }

    /// Sends one due message; false when there was none.
    async fn deliver_next(&self) -> Result<bool, sqlx::Error> {
        let Some(message) = outbox::claim_due(self.store.pool(), LEASE_SECS).await? else {
            return Ok(false);
        };
        match self.transport.send(&self.from, &message).await {
            // The dev outbox keeps bodies for /dev/mail; a real server's copy is the only one.
            Ok(()) if matches!(self.transport, Transport::DevOutbox(_)) => {
                outbox::mark_sent(self.store.pool(), &message.id).await?;
                tracing::info!(id = %message.id, subject = %message.subject, "mail delivered");
            }
            Ok(()) => {
                outbox::mark_sent_forgetting_bodies(self.store.pool(), &message.id).await?;
                tracing::info!(id = %message.id, subject = %message.subject, "mail delivered");
            }
            Err(err) if message.attempts >= MAX_ATTEMPTS => {
                tracing::error!(id = %message.id, error = ?err, "mail given up after {MAX_ATTEMPTS} attempts");
                outbox::mark_abandoned(self.store.pool(), &message.id, &format!("{err:#}")).await?;
            }
            Err(err) => {
                let retry_in = retry_delay_secs(message.attempts);
                tracing::warn!(id = %message.id, attempts = message.attempts, retry_in,
                               error = ?err, "mail delivery failed; will retry");
                outbox::mark_failed(
                    self.store.pool(),
                    &message.id,
                    &format!("{err:#}"),
                    retry_in,
                )
                .await?;
            }
        }
        Ok(true)
    }

    async fn sweep(&self) {
        let db = self.store.pool();
        let now = store::now();
        let results = [
            sessions::delete_expired(db).await,
            // The per-recipient mail limit counts hours.
            rate_limits::delete_before(db, now - 2 * 3600).await,
            sign_in_failures::delete_stale(db, now - 24 * 3600).await,
            account_failures::delete_stale(db, now - 90 * 24 * 3600).await,
            known_browsers::delete_stale(db, now - 400 * 24 * 3600).await,
            signups::delete_stale(db, now - 7 * 24 * 3600).await,
        ];
        for result in results {
            if let Err(err) = result {
                tracing::warn!(error = ?err, "sweeping expired rows failed");
            }
        }
    }
}

/// Exponential backoff: 2 s after the first failure, doubling, at most 10 minutes.
pub fn retry_delay_secs(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 10) - 1;
    (2_i64 << exponent).min(600)
}

#[cfg(test)]
mod tests {
    use super::retry_delay_secs;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(retry_delay_secs(1), 2);
        assert_eq!(retry_delay_secs(2), 4);
        assert_eq!(retry_delay_secs(5), 32);
        assert_eq!(retry_delay_secs(50), 600);
    }
}
