//! The audit log: every provisioning action, written in the transaction of the change.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::audit::{AuditTarget, NewAuditEvent, TargetKind};
use crate::domain::audit_filter::AuditFilter;
use crate::domain::{AuditAction, AuditEntry, Email, OrganizationId, Slug};

/// Records an event, in the caller's transaction: an audited change and its event commit
/// together or not at all.
pub async fn insert<'c, E>(db: E, event: NewAuditEvent<'_>) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let (target_kind, target_id) = match &event.target {
        Some(target) => (Some(target.kind.as_str()), Some(target.id.clone())),
        None => (None, None),
    };
    sqlx::query(
        "INSERT INTO audit_events (id, occurred_at, actor_id, actor_email, action, organization_id,
                                   subject, client_ip, target_kind, target_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(now())
    .bind(
        event
            .actor
            .user_id
            .as_ref()
            .map(|id| id.as_str().to_owned()),
    )
    .bind(event.actor.email.clone())
    .bind(event.action.as_str())
    .bind(event.organization.map(|id| id.as_str().to_owned()))
    .bind(event.summary)
    .bind(event.actor.client_ip.clone())
    .bind(target_kind)
    .bind(target_id)
    .bind(event.details.to_string())
    .execute(db)
    .await
    .map(drop)
}

/// The query an `AuditRow` is read from, as a literal for `concat!`.
macro_rules! select_events {
    () => {
        "SELECT a.id, a.occurred_at, a.actor_email, a.action, o.slug AS org_slug, a.subject,
                a.client_ip, a.target_kind, a.target_id, a.details
         FROM audit_events a LEFT JOIN organizations o ON o.id = a.organization_id"
    };
}

#[derive(FromRow)]
struct AuditRow {
    id: String,
    occurred_at: i64,
    actor_email: Option<String>,
    action: String,
    org_slug: Option<String>,
    subject: String,
    client_ip: Option<String>,
    target_kind: Option<String>,
    target_id: Option<String>,
    details: Option<String>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = sqlx::Error;

    fn try_from(row: AuditRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            action: AuditAction::parse(&row.action)
                .ok_or_else(|| unknown_value("audit action", &row.action))?,
            id: row.id,
            occurred_at: row.occurred_at,
            actor_email: row.actor_email,
            org_slug: row.org_slug.map(Slug::from_stored),
            target: match (row.target_kind, row.target_id) {
                (Some(kind), Some(id)) => Some(AuditTarget {
                    kind: TargetKind::parse(&kind)
                        .ok_or_else(|| unknown_value("audit target kind", &kind))?,
                    id,
                }),
                _ => None,
            },
            details: match row.details {
                Some(json) => {
                    serde_json::from_str(&json).map_err(|err| sqlx::Error::Decode(err.into()))?
                }
                None => serde_json::json!({}),
            },
            summary: row.subject,
            client_ip: row.client_ip,
        })
    }
}

/// The newest events, before the given event id (ids are time-ordered).
pub async fn list_page<'c, E>(
    db: E,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, AuditRow>(concat!(
        select_events!(),
        " WHERE ($1 = '' OR a.id < $1)
         ORDER BY a.id DESC
         LIMIT $2"
    ))
    .bind(before.unwrap_or_default().to_owned())
    .bind(limit)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(AuditEntry::try_from)
    .collect()
}

/// One organization's newest events that pass `filter`, before the given event id. The
/// organization's events are read newest first along `audit_events_by_org`.
pub async fn list_for_org<'c, E>(
    db: E,
    org: &OrganizationId,
    filter: &AuditFilter,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, AuditRow>(concat!(
        select_events!(),
        " WHERE a.organization_id = $1
           AND ($2 = '' OR a.id < $2)
           AND ($3 = '' OR a.actor_email = $3)
           AND ($4 = '' OR a.action = $4)
           AND a.occurred_at >= $5 AND a.occurred_at < $6
         ORDER BY a.id DESC
         LIMIT $7"
    ))
    .bind(org.as_str().to_owned())
    .bind(before.unwrap_or_default().to_owned())
    .bind(filter.actor.as_ref().map_or("", Email::as_str).to_owned())
    .bind(filter.action.map_or("", AuditAction::as_str))
    .bind(filter.since())
    .bind(filter.until())
    .bind(limit)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(AuditEntry::try_from)
    .collect()
}
