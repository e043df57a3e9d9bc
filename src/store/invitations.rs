//! Invitations to join an organization, by email link.
use std::collections::HashSet;

use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::{
    Email, EmailToken, InvitationState, InvitationSummary, OrganizationId, Role, UserId,
};

pub struct InvitationInsertForm<'a> {
    pub org: &'a OrganizationId,
    pub email: &'a Email,
    pub role: Role,
    pub inviter: Option<&'a UserId>,
    pub token: &'a EmailToken,
    /// How long the link stays valid.
    pub lifetime_secs: i64,
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
    .bind(now + form.lifetime_secs)
    .bind(now)
    .execute(db)
    .await
    .map(|_| id)
}

/// The columns an `InvitationRow` is read from, as a literal for `concat!`.
macro_rules! invitation_columns {
    () => {
        "i.id, i.organization_id, i.email, i.role, u.name AS inviter_name, i.accepted_at, \
         i.revoked_at, i.expires_at, i.created_at"
    };
}

#[derive(FromRow)]
struct InvitationRow {
    id: String,
    organization_id: String,
    email: String,
    role: String,
    inviter_name: Option<String>,
    accepted_at: Option<i64>,
    revoked_at: Option<i64>,
    expires_at: i64,
    created_at: i64,
}

impl TryFrom<InvitationRow> for InvitationSummary {
    type Error = sqlx::Error;

    fn try_from(row: InvitationRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            role: Role::from_stored(&row.role).ok_or_else(|| unknown_value("role", &row.role))?,
            state: InvitationState::of(row.accepted_at, row.revoked_at, row.expires_at, now()),
            id: row.id,
            organization_id: OrganizationId::from_stored(row.organization_id),
            email: Email::from_stored(row.email),
            inviter_name: row.inviter_name,
            created_at: row.created_at,
            expires_at: row.expires_at,
        })
    }
}

fn convert(row: Option<InvitationRow>) -> Result<Option<InvitationSummary>, sqlx::Error> {
    row.map(InvitationSummary::try_from).transpose()
}

/// The invitation behind a link, in whatever state it is.
pub async fn find_by_token<'c, E>(
    db: E,
    token: &EmailToken,
) -> Result<Option<InvitationSummary>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, InvitationRow>(concat!(
        "SELECT ",
        invitation_columns!(),
        " FROM invitations i LEFT JOIN users u ON u.id = i.inviter_id WHERE i.token_hash = $1"
    ))
    .bind(token.hash())
    .fetch_optional(db)
    .await?;
    convert(row)
}

/// One of an organization's invitations.
pub async fn find<'c, E>(
    db: E,
    org: &OrganizationId,
    id: &str,
) -> Result<Option<InvitationSummary>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, InvitationRow>(concat!(
        "SELECT ",
        invitation_columns!(),
        " FROM invitations i LEFT JOIN users u ON u.id = i.inviter_id
         WHERE i.organization_id = $1 AND i.id = $2"
    ))
    .bind(org.as_str().to_owned())
    .bind(id.to_owned())
    .fetch_optional(db)
    .await?;
    convert(row)
}

/// An organization's invitations, newest first, before the given id (ids are time-ordered).
pub async fn list_page<'c, E>(
    db: E,
    org: &OrganizationId,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<InvitationSummary>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, InvitationRow>(concat!(
        "SELECT ",
        invitation_columns!(),
        " FROM invitations i LEFT JOIN users u ON u.id = i.inviter_id
         WHERE i.organization_id = $1 AND ($2 = '' OR i.id < $2)
         ORDER BY i.id DESC
         LIMIT $3"
    ))
    .bind(org.as_str().to_owned())
    .bind(before.unwrap_or_default().to_owned())
    .bind(limit)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(InvitationSummary::try_from)
    .collect()
}

/// The addresses with a pending (unanswered, unexpired) invitation to the organization.
pub async fn pending_emails<'c, E>(
    db: E,
    org: &OrganizationId,
) -> Result<HashSet<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let emails: Vec<String> = sqlx::query_scalar(
        "SELECT email FROM invitations
         WHERE organization_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
           AND expires_at > $2",
    )
    .bind(org.as_str().to_owned())
    .bind(now())
    .fetch_all(db)
    .await?;
    Ok(emails.into_iter().collect())
}

/// True when the address has a pending invitation to the organization.
pub async fn is_pending_for<'c, E>(
    db: E,
    org: &OrganizationId,
    email: &Email,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let found: Option<String> = sqlx::query_scalar(
        "SELECT id FROM invitations
         WHERE organization_id = $1 AND email = $2 AND accepted_at IS NULL
           AND revoked_at IS NULL AND expires_at > $3
         LIMIT 1",
    )
    .bind(org.as_str().to_owned())
    .bind(email.as_str().to_owned())
    .bind(now())
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Gives an unanswered invitation a new link and a new lifetime (the old link stops working);
/// false when it was accepted or revoked meanwhile.
pub async fn replace_token<'c, E>(
    db: E,
    id: &str,
    token: &EmailToken,
    lifetime_secs: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE invitations SET token_hash = $1, expires_at = $2
         WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(token.hash())
    .bind(now() + lifetime_secs)
    .bind(id.to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Revokes an unanswered invitation; false when it was accepted or revoked already.
pub async fn revoke<'c, E>(db: E, id: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $1
         WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id.to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
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
