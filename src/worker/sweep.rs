//! The periodic cleanup: rows that have expired or gone stale, and jobs finished long ago.
//! One row in the jobs table, so across any number of instances it runs once per interval.
use anyhow::anyhow;
use serde::{Deserialize, Serialize};

use super::Context;
use crate::domain::oauth::REFRESH_TOKEN_LIFETIME_SECS;
use crate::store::{
    self, account_failures, application_sign_ins, authorization_codes, authorization_requests,
    jobs, known_browsers, rate_limits, refresh_tokens, sessions, sign_in_failures, signups,
    sso_flows, sso_sign_ins,
};

/// Deletes what nobody needs any more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sweep {}

pub const EVERY_SECS: i64 = 60;
/// A sweep that keeps failing waits for the next interval rather than retrying for long.
pub const MAX_ATTEMPTS: i64 = 3;

const DAY: i64 = 24 * 3600;

impl Sweep {
    /// Runs every deletion even when one fails, so one broken table does not keep the others
    /// growing; the job fails (and is retried) if any did.
    pub(super) async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let db = ctx.store.pool();
        let now = store::now();
        let results = [
            ("sessions", sessions::delete_expired(db).await),
            // The per-recipient mail limit counts hours.
            (
                "rate limits",
                rate_limits::delete_before(db, now - 2 * 3600).await,
            ),
            (
                "sign-in failures",
                sign_in_failures::delete_stale(db, now - DAY).await,
            ),
            (
                "account failures",
                account_failures::delete_stale(db, now - 90 * DAY).await,
            ),
            (
                "known browsers",
                known_browsers::delete_stale(db, now - 400 * DAY).await,
            ),
            ("sign-ups", signups::delete_stale(db, now - 7 * DAY).await),
            (
                "authorization requests",
                authorization_requests::delete_expired(db).await,
            ),
            // A used code is kept a day, so that a replay still revokes what it gave.
            (
                "authorization codes",
                authorization_codes::delete_expired(db, DAY).await,
            ),
            ("refresh tokens", refresh_tokens::delete_expired(db).await),
            (
                "sign-ins at identity providers",
                sso_flows::delete_expired(db).await,
            ),
            // Past the life of any refresh token issued in it, a sign-in has nothing to end.
            (
                "application sign-ins",
                application_sign_ins::delete_older(db, now - REFRESH_TOKEN_LIFETIME_SECS).await,
            ),
            (
                "identity provider sign-ins",
                sso_sign_ins::delete_older(db, now - REFRESH_TOKEN_LIFETIME_SECS).await,
            ),
            // Finished jobs are kept a week to be looked at, given-up ones above all.
            (
                "finished jobs",
                jobs::delete_finished_before(db, now - 7 * DAY).await,
            ),
        ];
        let mut failed = Vec::new();
        for (what, result) in results {
            if let Err(err) = result {
                tracing::warn!(error = ?err, "sweeping {what} failed");
                failed.push(format!("{what}: {err}"));
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(anyhow!("sweeping failed for {}", failed.join("; ")))
        }
    }
}
