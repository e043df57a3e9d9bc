//! The kinds of background work. A job is stored as its kind and a JSON payload; everything a
//! kind needs to know about itself (what it does, how often it recurs, how often it may fail)
//! is answered here, in one match per question.
use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use super::Context;
use super::backchannel_logout::{self, SendLogoutToken};
use super::domain_checks::{self, RecheckDomains};
use super::import::{self, RunImport};
use super::key_rotation::{self, RotateSigningKeys};
use super::mail::{self, DeliverMail, RetryMail};
use super::sweep::{self, Sweep};

/// One piece of background work. The variant is the `kind` column (in snake case), its data
/// the `payload` column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Job {
    DeliverMail(DeliverMail),
    RetryMail(RetryMail),
    Sweep(Sweep),
    RecheckDomains(RecheckDomains),
    RotateSigningKeys(RotateSigningKeys),
    SendLogoutToken(SendLogoutToken),
    RunImport(RunImport),
}

impl Job {
    /// The jobs that keep coming back. Every instance schedules them at start; the dedup key
    /// keeps one row of each.
    pub fn recurring() -> [Job; 4] {
        [
            Job::RetryMail(RetryMail {}),
            Job::Sweep(Sweep {}),
            Job::RecheckDomains(RecheckDomains {}),
            Job::RotateSigningKeys(RotateSigningKeys {}),
        ]
    }

    /// Seconds from one run of a recurring job to the next; None for a job that runs once.
    pub fn every(&self) -> Option<i64> {
        match self {
            Job::DeliverMail(_) => None,
            Job::RetryMail(_) => Some(mail::RETRY_EVERY_SECS),
            Job::Sweep(_) => Some(sweep::EVERY_SECS),
            Job::RecheckDomains(_) => Some(domain_checks::EVERY_SECS),
            Job::RotateSigningKeys(_) => Some(key_rotation::EVERY_SECS),
            Job::SendLogoutToken(_) => None,
            Job::RunImport(_) => None,
        }
    }

    /// Failed runs after which the job is given up (a recurring job gives up this occurrence
    /// and waits for the next).
    pub fn max_attempts(&self) -> i64 {
        match self {
            Job::DeliverMail(_) => mail::DELIVER_MAX_ATTEMPTS,
            Job::RetryMail(_) => mail::RETRY_MAX_ATTEMPTS,
            Job::Sweep(_) => sweep::MAX_ATTEMPTS,
            Job::RecheckDomains(_) => domain_checks::MAX_ATTEMPTS,
            Job::RotateSigningKeys(_) => key_rotation::MAX_ATTEMPTS,
            Job::SendLogoutToken(_) => backchannel_logout::MAX_ATTEMPTS,
            Job::RunImport(_) => import::MAX_ATTEMPTS,
        }
    }

    pub(super) async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        match self {
            Job::DeliverMail(job) => job.run(ctx).await,
            Job::RetryMail(job) => job.run(ctx).await,
            Job::Sweep(job) => job.run(ctx).await,
            Job::RecheckDomains(job) => job.run(ctx).await,
            Job::RotateSigningKeys(job) => job.run(ctx).await,
            Job::SendLogoutToken(job) => job.run(ctx).await,
            Job::RunImport(job) => job.run(ctx).await,
        }
    }

    /// The `kind` and `payload` columns of this job.
    pub fn to_columns(&self) -> anyhow::Result<(String, String)> {
        let value = serde_json::to_value(self)?;
        let kind = value
            .get("kind")
            .and_then(serde_json::Value::as_str)
            .context("a job serialized without its kind")?;
        let payload = value
            .get("payload")
            .context("a job serialized without its payload")?;
        Ok((kind.to_owned(), payload.to_string()))
    }

    /// Reads a job back from its columns. An unknown kind is an error, not a silent skip: it
    /// may be work for a newer version of Usher, which another instance can still run.
    pub fn from_columns(kind: &str, payload: &str) -> anyhow::Result<Self> {
        let payload: serde_json::Value =
            serde_json::from_str(payload).context("the job's payload is not JSON")?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload }))
            .with_context(|| format!("cannot read a job of kind {kind:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_round_trips_through_its_columns() {
        for job in [
            Job::DeliverMail(DeliverMail {}),
            Job::Sweep(Sweep {}),
            Job::RecheckDomains(RecheckDomains {}),
        ] {
            let (kind, payload) = job.to_columns().unwrap();
            assert_eq!(Job::from_columns(&kind, &payload).unwrap(), job);
        }
        assert_eq!(
            Job::Sweep(Sweep {}).to_columns().unwrap(),
            ("sweep".to_owned(), "{}".to_owned())
        );
        assert_eq!(
            Job::RecheckDomains(RecheckDomains {})
                .to_columns()
                .unwrap()
                .0,
            "recheck_domains"
        );
    }

    #[test]
    fn an_unknown_kind_is_an_error() {
        assert!(Job::from_columns("rotate_keys", "{}").is_err());
        assert!(Job::from_columns("sweep", "not json").is_err());
    }
}
