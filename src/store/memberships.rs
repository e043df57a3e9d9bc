//! Memberships: who belongs to which organization, with which role.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::{
    DisplayName, Email, MemberSummary, OrgChoice, OrganizationId, Role, Slug, User, UserId,
};

/// Adds `user` to the organization; its email and name key are kept beside the membership
/// for the member search.
pub async fn insert<'c, E>(
    db: E,
    org: &OrganizationId,
    user: &User,
    role: Role,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO memberships (organization_id, user_id, role, created_at, email, name_key)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org.as_str().to_owned())
    .bind(user.id.as_str().to_owned())
    .bind(role.as_str())
    .bind(now())
    .bind(user.email.as_str().to_owned())
    .bind(user.name.search_key())
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
    role.map(|r| parse_role(&r)).transpose()
}

fn parse_role(value: &str) -> Result<Role, sqlx::Error> {
    Role::from_stored(value).ok_or_else(|| unknown_value("role", value))
}

#[derive(FromRow)]
struct UserOrgRow {
    id: String,
    slug: String,
    name: String,
    role: String,
    suspended_at: Option<i64>,
}

impl TryFrom<UserOrgRow> for OrgChoice {
    type Error = sqlx::Error;

    fn try_from(row: UserOrgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            role: parse_role(&row.role)?,
            id: OrganizationId::from_stored(row.id),
            slug: Slug::from_stored(row.slug),
            name: row.name,
            suspended: row.suspended_at.is_some(),
        })
    }
}

pub async fn list_for_user<'c, E>(db: E, user: &UserId) -> Result<Vec<OrgChoice>, sqlx::Error>
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
    .await?
    .into_iter()
    .map(OrgChoice::try_from)
    .collect()
}

#[derive(FromRow)]
struct MemberRow {
    user_id: String,
    name: String,
    email: String,
    role: String,
    created_at: i64,
}

impl TryFrom<MemberRow> for MemberSummary {
    type Error = sqlx::Error;

    fn try_from(row: MemberRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            role: parse_role(&row.role)?,
            user_id: UserId::from_stored(row.user_id),
            name: DisplayName::from_stored(row.name),
            email: Email::from_stored(row.email),
            joined_at: row.created_at,
        })
    }
}

/// A page of members by join time, after the given (time, user id) key. The row-value
/// comparison lets both engines seek straight into the index, however deep the page.
pub async fn list_page<'c, E>(
    db: E,
    org: &OrganizationId,
    after: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<MemberSummary>, sqlx::Error>
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
    .await?
    .into_iter()
    .map(MemberSummary::try_from)
    .collect()
}

/// How many owners the organization has.
pub async fn count_owners<'c, E>(db: E, org: &OrganizationId) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND role = 'owner'",
    )
    .bind(org.as_str().to_owned())
    .fetch_one(db)
    .await
}

/// One member, by user id.
pub async fn find<'c, E>(
    db: E,
    org: &OrganizationId,
    user: &UserId,
) -> Result<Option<MemberSummary>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, MemberRow>(
        "SELECT m.user_id, u.name, u.email, m.role, m.created_at
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1 AND m.user_id = $2",
    )
    .bind(org.as_str().to_owned())
    .bind(user.as_str().to_owned())
    .fetch_optional(db)
    .await?
    .map(MemberSummary::try_from)
    .transpose()
}

pub async fn update_role<'c, E>(
    db: E,
    org: &OrganizationId,
    user: &UserId,
    role: Role,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE memberships SET role = $1 WHERE organization_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(org.as_str().to_owned())
        .bind(user.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Ends a membership; false when there was none.
pub async fn delete<'c, E>(db: E, org: &OrganizationId, user: &UserId) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query("DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2")
        .bind(org.as_str().to_owned())
        .bind(user.as_str().to_owned())
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A page of the members whose email starts with `prefix` (lower-cased), by email, after the
/// given (email, user id): one range of `memberships_by_org_email`.
pub async fn search_by_email<'c, E>(
    db: E,
    org: &OrganizationId,
    prefix: &str,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<MemberSummary>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let (after_email, after_id) = start_at(prefix, after);
    sqlx::query_as::<_, MemberRow>(
        "SELECT m.user_id, u.name, u.email, m.role, m.created_at
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1 AND m.email >= $2 AND m.email < $3
           AND (m.email, m.user_id) > ($4, $5)
         ORDER BY m.email, m.user_id
         LIMIT $6",
    )
    .bind(org.as_str().to_owned())
    .bind(prefix.to_owned())
    .bind(prefix_end(prefix))
    .bind(after_email.to_owned())
    .bind(after_id.to_owned())
    .bind(limit)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(MemberSummary::try_from)
    .collect()
}

#[derive(FromRow)]
struct NameHitRow {
    #[sqlx(flatten)]
    member: MemberRow,
    name_key: String,
}

/// A page of the members whose name starts with `prefix` but whose email does not (those come
/// from `search_by_email`), by name key, after the given (name key, user id): one range of
/// `memberships_by_org_name`. Each member comes with its name key, the next page's cursor.
pub async fn search_by_name<'c, E>(
    db: E,
    org: &OrganizationId,
    prefix: &str,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<(MemberSummary, String)>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let (after_key, after_id) = start_at(prefix, after);
    sqlx::query_as::<_, NameHitRow>(
        "SELECT m.user_id, u.name, u.email, m.role, m.created_at, m.name_key
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = $1 AND m.name_key >= $2 AND m.name_key < $3
           AND NOT (m.email >= $2 AND m.email < $3)
           AND (m.name_key, m.user_id) > ($4, $5)
         ORDER BY m.name_key, m.user_id
         LIMIT $6",
    )
    .bind(org.as_str().to_owned())
    .bind(prefix.to_owned())
    .bind(prefix_end(prefix))
    .bind(after_key.to_owned())
    .bind(after_id.to_owned())
    .bind(limit)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| Ok((MemberSummary::try_from(row.member)?, row.name_key)))
    .collect()
}

/// Where a prefix search resumes: after the cursor, or from the prefix itself. The row
/// comparison is where PostgreSQL starts the index scan, so it must never lie before the
/// prefix: from ("", "") the scan would walk every entry that sorts before the prefix.
fn start_at<'a>(prefix: &'a str, after: Option<(&'a str, &'a str)>) -> (&'a str, &'a str) {
    match after {
        Some((key, id)) if key >= prefix => (key, id),
        _ => (prefix, ""),
    }
}

/// Every string that starts with `prefix` sorts from it up to it followed by the highest
/// character there is.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

/// The addresses of the organization's members.
pub async fn member_emails<'c, E>(
    db: E,
    org: &OrganizationId,
) -> Result<std::collections::HashSet<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let emails: Vec<String> =
        sqlx::query_scalar("SELECT email FROM memberships WHERE organization_id = $1")
            .bind(org.as_str().to_owned())
            .fetch_all(db)
            .await?;
    Ok(emails.into_iter().collect())
}

/// True when an account with this address is a member of the organization.
pub async fn has_member_email<'c, E>(
    db: E,
    org: &OrganizationId,
    email: &Email,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let found: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE organization_id = $1 AND email = $2 LIMIT 1",
    )
    .bind(org.as_str().to_owned())
    .bind(email.as_str().to_owned())
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}
