//! The audit log: every provisioning action, written in the transaction of the change.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::audit::Actor;
use crate::domain::{AuditAction, AuditEntry, OrganizationId, Slug};

pub async fn insert<'c, E>(
    db: E,
    actor: &Actor,
    action: AuditAction,
    org: Option<&OrganizationId>,
    subject: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO audit_events (id, occurred_at, actor_id, actor_email, action, organization_id,
                                   subject, client_ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(now())
    .bind(actor.user_id.as_ref().map(|id| id.as_str().to_owned()))
    .bind(actor.email.clone())
    .bind(action.as_str())
    .bind(org.map(|id| id.as_str().to_owned()))
    .bind(subject.to_owned())
    .bind(actor.client_ip.clone())
    .execute(db)
    .await
    .map(drop)
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
            subject: row.subject,
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
    sqlx::query_as::<_, AuditRow>(
        "SELECT a.id, a.occurred_at, a.actor_email, a.action, o.slug AS org_slug, a.subject, a.client_ip
         FROM audit_events a LEFT JOIN organizations o ON o.id = a.organization_id
         WHERE ($1 = '' OR a.id < $1)
         ORDER BY a.id DESC
         LIMIT $2",
    )
    .bind(before.unwrap_or_default().to_owned())
    .bind(limit)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(AuditEntry::try_from)
    .collect()
}
