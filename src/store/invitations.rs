//! Invitations to join an organization, by email link.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::{Email, EmailToken, OrganizationId, Role, UserId};

/// How long an invitation link stays valid: seven days.
pub const LIFETIME_SECS: i64 = 7 * 24 * 3600;

pub struct InvitationInsertForm<'a> {
    pub org: &'a OrganizationId,
    pub email: &'a Email,
    pub role: Role,
    pub inviter: Option<&'a UserId>,
    pub token: &'a EmailToken,
}

/// Stores an invitation; its id.
pub async fn insert<'c, E>(db: E, form: InvitationInsertForm<'_>) -> Result<String, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO invitations (id, organization_id, email, role, inviter_id, token_hash,
                                  expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.clone())
    .bind(form.org.as_str().to_owned())
    .bind(form.email.as_str().to_owned())
    .bind(form.role.as_str())
    .bind(form.inviter.map(|id| id.as_str().to_owned()))
    .bind(form.token.hash())
    .bind(now + LIFETIME_SECS)
    .bind(now)
    .execute(db)
    .await
    .map(|_| id)
}

/// A pending invitation, as its link shows it.
#[derive(Debug, Clone)]
pub struct PendingInvitation {
    pub id: String,
    pub organization_id: OrganizationId,
    pub email: Email,
    pub role: Role,
    pub inviter_name: Option<String>,
}

#[derive(FromRow)]
struct PendingRow {
    id: String,
    organization_id: String,
    email: String,
    role: String,
    inviter_name: Option<String>,
}

impl TryFrom<PendingRow> for PendingInvitation {
    type Error = sqlx::Error;

    fn try_from(row: PendingRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            role: Role::from_stored(&row.role).ok_or_else(|| unknown_value("role", &row.role))?,
            id: row.id,
            organization_id: OrganizationId::from_stored(row.organization_id),
            email: Email::from_stored(row.email),
            inviter_name: row.inviter_name,
        })
    }
}

/// The invitation behind a link while it is unused, unrevoked and unexpired.
pub async fn find_pending<'c, E>(
    db: E,
    token: &EmailToken,
) -> Result<Option<PendingInvitation>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, PendingRow>(
        "SELECT i.id, i.organization_id, i.email, i.role, u.name AS inviter_name
         FROM invitations i LEFT JOIN users u ON u.id = i.inviter_id
         WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
           AND i.expires_at > $2",
    )
    .bind(token.hash())
    .bind(now())
    .fetch_optional(db)
    .await?
    .map(PendingInvitation::try_from)
    .transpose()
}

/// Marks the invitation accepted in one atomic update; false if it was used meanwhile.
pub async fn accept<'c, E>(db: E, id: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE invitations SET accepted_at = $1
         WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now())
    .bind(id.to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}
