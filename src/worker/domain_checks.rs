//! The re-check of verified domains: a domain stays verified only while its TXT record stays
//! published. One row in the jobs table, so across any number of instances it runs once per
//! interval. It runs hourly and looks at the domains that are due, each once a day (an hour
//! after a look that got no answer), so that however many domains there are, one run stays
//! well inside its lease and the rest wait for the next run.
use serde::{Deserialize, Serialize};

use super::Context;
use crate::services::domains;
use crate::store;

/// Looks again at the verified domains that are due, and unverifies those whose record is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecheckDomains {}

pub const EVERY_SECS: i64 = 3600;
/// A run that keeps failing (the database, not DNS) waits for the next hour.
pub const MAX_ATTEMPTS: i64 = 3;

impl RecheckDomains {
    pub(super) async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        domains::recheck_due(&ctx.store, &ctx.dns, store::now()).await?;
        Ok(())
    }
}
