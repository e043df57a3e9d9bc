//! Memberships: who belongs to which organization, with which role.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::{OrganizationId, Role, UserId};

pub async fn insert<'c, E>(
    db: E,
    org: &OrganizationId,
    user: &UserId,
    role: Role,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(org.as_str().to_owned())
    .bind(user.as_str().to_owned())
    .bind(role.as_str())
    .bind(now())
    .execute(db)
    .await
    .map(drop)
}

/// The user's role in the organization, if they are a member.
pub async fn find_role<'c, E>(
    db: E,
    org: &OrganizationId,
    user: &UserId,
) -> Result<Option<Role>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2",
    )
    .bind(org.as_str().to_owned())
    .bind(user.as_str().to_owned())
    .fetch_optional(db)
    .await?;
    Ok(role.and_then(|r| Role::parse(&r).ok()))
}

/// One of a user's organizations.
#[derive(Debug, Clone, FromRow)]
pub struct UserOrgRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub role: String,
    pub suspended_at: Option<i64>,
}

/// The organizations a user belongs to, by name.
pub async fn list_for_user<'c, E>(db: E, user: &UserId) -> Result<Vec<UserOrgRow>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, UserOrgRow>(
        "SELECT o.id, o.slug, o.name, m.role, o.suspended_at
         FROM memberships m JOIN organizations o ON o.id = m.organization_id
         WHERE m.user_id = $1
         ORDER BY o.name, o.id",
    )
    .bind(user.as_str().to_owned())
    .fetch_all(db)
    .await
}

/// One member on an organization's member list.
#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
}

/// A page of members by join time, after the given (time, user id) key. The row-value
/// comparison lets both engines seek straight into the index, however deep the page.
pub async fn list_page<'c, E>(
    db: E,
    org: &OrganizationId,
    after: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<MemberRow>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let (after_time, after_id) = after.unwrap_or((i64::MIN, ""));
    sqlx::query_as::<_, MemberRow>(
        "SELECT m.user_id, u.name, u.email, m.role, m.created_at
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1
           AND (m.created_at, m.user_id) > ($2, $3)
         ORDER BY m.created_at, m.user_id
         LIMIT $4",
    )
    .bind(org.as_str().to_owned())
    .bind(after_time)
    .bind(after_id.to_owned())
    .bind(limit)
    .fetch_all(db)
    .await
}
