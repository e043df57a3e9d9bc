//! The domains an organization proves by DNS, and what a proven domain does: people with an
//! address there may join on sign-up (auto-join), and home-realm discovery sends them to the
//! organization. A domain is verified by one organization at most, and stays verified only
//! while its record stays published: a daily re-check withdraws it once the record is gone.
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::{Any, Executor};

use crate::dns::DnsResolver;
use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::{DomainId, DomainName, Email, JoinPolicy, OrgDomain, Organization};
use crate::services::members::Manager;
use crate::services::{Conflict, Error, Result};
use crate::state::AppState;
use crate::store::{
    self, Store, Tx, audit, domains, is_unique_violation, organizations as org_store,
};

/// A verified domain is looked up again once its last look is this old.
pub const RECHECK_AFTER_SECS: i64 = 24 * 3600;
/// A look that got no answer (a timeout, a failing server) is tried again this much later:
/// no answer is no proof that the record is gone.
pub const RETRY_AFTER_SECS: i64 = 3600;
/// One re-check run looks at this many domains at most, and stops starting look-ups after
/// the budget, well inside the job's lease; the rest are due again for the next run.
const RECHECK_BATCH: i64 = 200;
const RECHECK_BUDGET: Duration = Duration::from_secs(60);

/// The outcome of pressing "Verify".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Verified,
    /// The record did not prove the claim, for this reason (also kept with the domain).
    NotVerified(String),
}

/// What one re-check run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rechecked {
    pub checked: usize,
    pub unverified: usize,
}

/// The organization's domains, by name.
pub async fn list(state: &AppState, org: &Organization) -> Result<Vec<OrgDomain>> {
    Ok(domains::list_for_org(state.store.pool(), &org.id).await?)
}

/// Claims a domain for the organization, unverified, with a fresh token for its TXT record.
/// A name the organization has already is `Conflict::DomainAlreadyAdded`. Another
/// organization's verified name may be added: its verification is what gets refused, while
/// the other organization keeps its record published.
pub async fn add(state: &AppState, manager: &Manager<'_>, name: &DomainName) -> Result<OrgDomain> {
    let org = manager.org;
    let mut tx = state.store.begin().await?;
    let domain = domains::insert(&mut *tx, &org.id, name)
        .await?
        .ok_or(Error::Conflict(Conflict::DomainAlreadyAdded))?;
    let event = NewAuditEvent {
        actor: &Actor::user(manager.user, manager.client_ip),
        action: AuditAction::DomainAdded,
        organization: Some(&org.id),
        target: Some(AuditTarget::domain(domain.id.as_str())),
        details: json!({"name": domain.name.as_str()}),
        summary: domain.name.to_string(),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(domain)
}

/// Looks the domain's TXT record up now and verifies the domain when it carries the
/// domain's value. A domain another organization has verified is `Conflict::DomainTaken`,
/// with nothing written and nothing asked of DNS; the unique index settles two organizations
/// verifying one name at the same moment. A look that does not prove the claim keeps its
/// reason with the domain, for the list to show.
pub async fn verify(
    state: &AppState,
    manager: &Manager<'_>,
    id: &DomainId,
) -> Result<Verification> {
    let org = manager.org;
    let db = state.store.pool();
    let domain = domains::find(db, &org.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    if domain.is_verified() {
        return Ok(Verification::Verified);
    }
    if domains::verified_by_other(db, &org.id, &domain.name).await? {
        return Err(Error::Conflict(Conflict::DomainTaken));
    }
    let now = store::now();
    let reason = match look_up(&state.dns, &domain).await {
        Looked::Proven => None,
        Looked::NotProven(reason) | Looked::NoAnswer(reason) => Some(reason),
    };
    if let Some(reason) = reason {
        domains::record_check(db, &domain.id, now, Some(&reason)).await?;
        return Ok(Verification::NotVerified(reason));
    }
    let mut tx = state.store.begin().await?;
    match domains::mark_verified(&mut *tx, &domain.id, now).await {
        Ok(true) => {}
        // Another click verified it meanwhile, and audited that.
        Ok(false) => return Ok(Verification::Verified),
        // Dropping the transaction rolls it back: nothing is written.
        Err(err) if is_unique_violation(&err) => {
            return Err(Error::Conflict(Conflict::DomainTaken));
        }
        Err(err) => return Err(err.into()),
    }
    let event = NewAuditEvent {
        actor: &Actor::user(manager.user, manager.client_ip),
        action: AuditAction::DomainVerified,
        organization: Some(&org.id),
        target: Some(AuditTarget::domain(domain.id.as_str())),
        details: json!({"name": domain.name.as_str(), "record": domain.record_name()}),
        summary: domain.name.to_string(),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(Verification::Verified)
}

/// Removes one of the organization's domains, verified or not: its addresses no longer
/// auto-join from then on.
pub async fn remove(state: &AppState, manager: &Manager<'_>, id: &DomainId) -> Result<()> {
    let org = manager.org;
    let mut tx = state.store.begin().await?;
    let domain = domains::find(&mut *tx, &org.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    if !domains::delete(&mut *tx, &org.id, id).await? {
        return Err(Error::NotFound);
    }
    let event = NewAuditEvent {
        actor: &Actor::user(manager.user, manager.client_ip),
        action: AuditAction::DomainRemoved,
        organization: Some(&org.id),
        target: Some(AuditTarget::domain(domain.id.as_str())),
        details: json!({"name": domain.name.as_str(), "was_verified": domain.is_verified()}),
        summary: domain.name.to_string(),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The organization that has verified the domain of `email`, if any: the one home-realm
/// discovery sends the address to. Exact domains only (`ada@eng.acme.com` is not at
/// `acme.com`), and never a consumer mail domain. A suspended organization is returned too:
/// what its people are told is the caller's decision.
pub async fn organization_for_email(
    state: &AppState,
    email: &Email,
) -> Result<Option<Organization>> {
    let db = state.store.pool();
    let Some(name) = DomainName::of_email(email) else {
        return Ok(None);
    };
    let Some(org) = domains::find_verifier(db, &name).await? else {
        return Ok(None);
    };
    Ok(org_store::find_by_id(db, &org).await?)
}

/// Whether the organization's sign-up takes `email`: under `JoinPolicy::VerifiedDomains`,
/// only an address at one of its verified domains; the other policies do not look at the
/// address.
pub async fn admits_sign_up(state: &AppState, org: &Organization, email: &Email) -> Result<bool> {
    admits(state.store.pool(), org, email).await
}

/// `admits_sign_up` inside the caller's transaction: asked again when the sign-up is
/// verified, as the domain may have been removed or withdrawn in between.
pub async fn admits_in(tx: &mut Tx, org: &Organization, email: &Email) -> Result<bool> {
    admits(&mut **tx, org, email).await
}

async fn admits<'c, E>(db: E, org: &Organization, email: &Email) -> Result<bool>
where
    E: Executor<'c, Database = Any>,
{
    if org.join_policy != JoinPolicy::VerifiedDomains {
        return Ok(true);
    }
    let Some(name) = DomainName::of_email(email) else {
        return Ok(false);
    };
    let verifier = domains::find_verifier(db, &name).await?;
    Ok(verifier.as_ref() == Some(&org.id))
}

/// Looks again at the verified domains that are due (a day after their last look, an hour
/// after a look that got no answer) and withdraws the verification of those whose record is
/// gone, audited as Usher's own action. Called by the re-check job, which runs on one
/// instance at a time; `now` is a parameter so that a day can pass in a test.
pub async fn recheck_due(store: &Store, dns: &DnsResolver, now: i64) -> Result<Rechecked> {
    let db = store.pool();
    let due = domains::list_due_for_recheck(
        db,
        now - RECHECK_AFTER_SECS,
        now - RETRY_AFTER_SECS,
        RECHECK_BATCH,
    )
    .await?;
    let started = Instant::now();
    let mut done = Rechecked::default();
    for domain in due {
        if started.elapsed() > RECHECK_BUDGET {
            break;
        }
        done.checked += 1;
        match look_up(dns, &domain).await {
            Looked::Proven => domains::record_check(db, &domain.id, now, None).await?,
            // The domain stays verified: a server that does not answer proves nothing.
            Looked::NoAnswer(reason) => {
                domains::record_check(db, &domain.id, now, Some(&reason)).await?;
            }
            Looked::NotProven(reason) => {
                if withdraw(store, &domain, &reason, now).await? {
                    done.unverified += 1;
                }
            }
        }
    }
    if done.unverified > 0 {
        tracing::info!(
            checked = done.checked,
            unverified = done.unverified,
            "verified domains whose record is gone were unverified"
        );
    }
    Ok(done)
}

/// Withdraws a verification and audits it, once: false when another run did it first.
async fn withdraw(store: &Store, domain: &OrgDomain, reason: &str, now: i64) -> Result<bool> {
    let mut tx = store.begin().await?;
    if !domains::mark_unverified(&mut *tx, &domain.id, now, reason).await? {
        return Ok(false);
    }
    let event = NewAuditEvent {
        // Usher itself acts: no user, no address.
        actor: &Actor::default(),
        action: AuditAction::DomainUnverified,
        organization: Some(&domain.organization_id),
        target: Some(AuditTarget::domain(domain.id.as_str())),
        details: json!({"name": domain.name.as_str(), "reason": reason}),
        summary: format!("{}: {reason}", domain.name),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(true)
}

/// What one look at a domain's record found.
enum Looked {
    Proven,
    /// DNS answered, and the answer does not prove the claim.
    NotProven(String),
    /// DNS did not answer.
    NoAnswer(String),
}

async fn look_up(dns: &DnsResolver, domain: &OrgDomain) -> Looked {
    // Fully qualified, so that the system's search domains are never tried.
    let name = format!("{}.", domain.record_name());
    match dns.txt(&name).await {
        Ok(values) => match domain.proven_by(&values) {
            Ok(()) => Looked::Proven,
            Err(not_proven) => Looked::NotProven(domain.explain(not_proven)),
        },
        Err(failure) => Looked::NoAnswer(failure.to_string()),
    }
}
