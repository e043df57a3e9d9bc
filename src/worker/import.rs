//! Runs a bulk import queued from the operator portal, chunk after chunk. A worker that dies
//! half-way leaves the import where its last chunk committed; once its lease has run out the
//! job is claimed again and goes on from there.
use serde::{Deserialize, Serialize};

use super::Context;
use crate::services::import;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunImport {
    pub import_id: String,
}

/// An import that fails keeps its reason on its own row; the job is retried for what went
/// wrong around it (the database away for a moment).
pub const MAX_ATTEMPTS: i64 = 20;

impl RunImport {
    pub(super) async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let job = import::run(&ctx.store, Some(&ctx.legacy), &self.import_id, None).await?;
        tracing::info!(
            import = %job.id, status = %job.status, created = job.created, updated = job.updated,
            skipped = job.skipped, failed = job.failed, "import finished"
        );
        Ok(())
    }
}
