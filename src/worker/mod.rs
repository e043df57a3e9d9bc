//! The job runner. Background work lives in the `jobs` table only, so it survives restarts
//! and any number of instances share it: each instance runs one loop that claims the job due
//! longest, runs it and settles it, one job at a time. A claim is a lease: a job is run by one
//! instance at a time, and the job of an instance that died mid-run is taken again once the
//! lease has run out. Failed jobs are retried with backoff and given up after a number of
//! attempts set per kind, keeping their last error. Recurring jobs re-enqueue themselves
//! (`run_at = now + interval`), so across N instances each runs once per interval.
//!
//! The loop is woken early by [`MailQueue::wake`] after a request commits mail, and otherwise
//! looks for due work every second.
pub mod backchannel_logout;
pub mod domain_checks;
pub mod import;
pub mod job;
pub mod key_rotation;
pub mod mail;
pub mod sweep;

mod backoff;

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use sqlx::{Any, Executor};
use tracing::Instrument;

use crate::dns::DnsResolver;
use crate::email::MailQueue;
use crate::email::transport::Transport;
use crate::sealing::Sealer;
use crate::services::import::LegacyAccess;
use crate::services::legacy::LegacyStores;
use crate::store::jobs::{self, ClaimedJob, JobInsertForm};
use crate::store::{self, Store};
use backoff::retry_delay_secs;
pub use job::Job;

/// How long a claimed job is reserved for the claiming instance. A job must finish well
/// inside it; longer work is split into jobs that each do a part.
const LEASE_SECS: i64 = 300;
/// Idle instances look for work (queued by other instances, or due retries) this often.
const POLL: Duration = Duration::from_secs(1);
/// A row this version cannot read may be work for a newer one; after this many tries it is
/// given up.
const UNREADABLE_MAX_ATTEMPTS: i64 = 10;

/// What jobs run with.
pub struct Context {
    pub store: Store,
    pub transport: Transport,
    pub from: Mailbox,
    pub dns: DnsResolver,
    pub sealer: Sealer,
    /// The OpenID Provider's issuer, for the tokens jobs sign.
    pub issuer: String,
    /// Calls out to applications (back-channel logout).
    pub http: reqwest::Client,
    /// Reads legacy stores for the imports of their users.
    pub legacy: LegacyAccess,
}

/// The job loop of one instance.
pub struct Runner {
    pub store: Store,
    pub transport: Transport,
    pub from: Mailbox,
    /// Woken by requests that queued mail.
    pub queue: MailQueue,
    pub dns: DnsResolver,
    /// Opens and seals the signing keys the rotation job makes.
    pub sealer: Sealer,
    pub issuer: String,
    pub http: reqwest::Client,
    pub legacy: LegacyStores,
}

/// Queues `job` to run from `run_at` on, with whatever `db` is: queued in the transaction of
/// the change that needs it, the job is committed or rolled back with that change. A
/// recurring job exists once: queuing it again does nothing.
pub async fn enqueue<'c, E>(db: E, job: &Job, run_at: i64) -> anyhow::Result<()>
where
    E: Executor<'c, Database = Any>,
{
    let (kind, payload) = job.to_columns()?;
    let form = JobInsertForm {
        kind: &kind,
        payload: &payload,
        dedup_key: job.every().map(|_| kind.as_str()),
        run_at,
    };
    jobs::insert(db, form).await?;
    Ok(())
}

impl Runner {
    /// Runs for as long as the process does; `Application::build` spawns one per instance.
    pub async fn run(self) {
        let Runner {
            store,
            transport,
            from,
            queue,
            dns,
            sealer,
            issuer,
            http,
            legacy,
        } = self;
        let legacy = LegacyAccess {
            sealer: sealer.clone(),
            stores: legacy,
        };
        let ctx = Arc::new(Context {
            store,
            transport,
            from,
            dns,
            sealer,
            issuer,
            http,
            legacy,
        });
        let mut scheduled = false;
        loop {
            // Retried each round until it works: a database that is down at start comes back.
            if !scheduled {
                scheduled = schedule_recurring(&ctx.store).await;
            }
            match run_next(&ctx).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(err) => tracing::error!(error = %err, "job runner could not reach the jobs"),
            }
            let _ = tokio::time::timeout(POLL, queue.notified()).await;
        }
    }
}

/// Makes sure each recurring job exists, due at once: a fresh deployment sweeps on start.
async fn schedule_recurring(store: &Store) -> bool {
    for job in Job::recurring() {
        if let Err(err) = enqueue(store.pool(), &job, store::now()).await {
            tracing::error!(
                error = format!("{err:#}"),
                "cannot schedule the recurring jobs"
            );
            return false;
        }
    }
    true
}

/// Claims, runs and settles one due job; false when none was due.
async fn run_next(ctx: &Arc<Context>) -> Result<bool, sqlx::Error> {
    let Some(claim) = jobs::claim_due(ctx.store.pool(), LEASE_SECS).await? else {
        return Ok(false);
    };
    // Debug level: at info, a recurring job would log every few seconds that it ran.
    let span = tracing::debug_span!("job", id = %claim.id, kind = %claim.kind);
    async {
        let (job, result) = match Job::from_columns(&claim.kind, &claim.payload) {
            Ok(job) => {
                let result = run_isolated(ctx, job.clone()).await;
                (Some(job), result)
            }
            Err(err) => (None, Err(err)),
        };
        settle(&ctx.store, &claim, job.as_ref(), result).await
    }
    .instrument(span)
    .await?;
    Ok(true)
}

/// Runs the job on a task of its own: a job that panics fails like one that returns an
/// error, and the loop goes on.
async fn run_isolated(ctx: &Arc<Context>, job: Job) -> anyhow::Result<()> {
    let ctx = ctx.clone();
    let task = tokio::spawn(async move { job.run(&ctx).await }.in_current_span());
    match task.await {
        Ok(result) => result,
        Err(err) => Err(anyhow::anyhow!("the job panicked: {err}")),
    }
}

/// Records the outcome: done, due again after a backoff, or given up; a recurring job goes
/// on to its next occurrence either way.
async fn settle(
    store: &Store,
    claim: &ClaimedJob,
    job: Option<&Job>,
    result: anyhow::Result<()>,
) -> Result<(), sqlx::Error> {
    let db = store.pool();
    let now = store::now();
    let every = job.and_then(Job::every);
    let max_attempts = job.map_or(UNREADABLE_MAX_ATTEMPTS, Job::max_attempts);
    let ours = match result {
        Ok(()) => {
            tracing::debug!("job done");
            match every {
                Some(every) => jobs::reschedule(db, claim, now + every, None).await?,
                None => jobs::finish(db, claim, None).await?,
            }
        }
        Err(err) if claim.attempts < max_attempts => {
            let error = format!("{err:#}");
            let retry_in = retry_delay_secs(claim.attempts);
            tracing::warn!(id = %claim.id, kind = %claim.kind, attempts = claim.attempts,
                           retry_in, error, "job failed; will retry");
            jobs::retry(db, claim, &error, now + retry_in).await?
        }
        Err(err) => {
            let error = format!("{err:#}");
            tracing::error!(id = %claim.id, kind = %claim.kind, attempts = claim.attempts,
                            error, "job given up");
            match every {
                Some(every) => jobs::reschedule(db, claim, now + every, Some(&error)).await?,
                None => jobs::finish(db, claim, Some(&error)).await?,
            }
        }
    };
    if !ours {
        tracing::warn!(id = %claim.id, kind = %claim.kind,
                       "the job outlived its lease and another instance took it; \
                        its outcome is theirs to record");
    }
    Ok(())
}
