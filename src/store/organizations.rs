//! Organizations.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::{
    ConnectionId, InvitationLifetime, JoinPolicy, MembershipMode, OrgName, OrgSummary,
    Organization, OrganizationId, Slug,
};

/// The columns an `OrgRow` is read from, as a literal for `concat!`.
macro_rules! org_columns {
    () => {
        "id, slug, name, membership_mode, connection_id, suspended_reason, suspended_at, \
         join_policy, invitation_days, logo_url, primary_color, background_color, logo_etag"
    };
}

#[derive(FromRow)]
struct OrgRow {
    id: String,
    slug: String,
    name: String,
    membership_mode: String,
    connection_id: String,
    suspended_at: Option<i64>,
    suspended_reason: Option<String>,
    join_policy: String,
    invitation_days: i64,
    logo_url: Option<String>,
    primary_color: Option<String>,
    background_color: Option<String>,
    logo_etag: Option<String>,
}

impl TryFrom<OrgRow> for Organization {
    type Error = sqlx::Error;

    fn try_from(row: OrgRow) -> Result<Self, sqlx::Error> {
        let mode = MembershipMode::from_stored(&row.membership_mode)
            .ok_or_else(|| unknown_value("membership mode", &row.membership_mode))?;
        Ok(Self {
            id: OrganizationId::from_stored(row.id),
            slug: Slug::from_stored(row.slug),
            name: row.name,
            mode,
            connection_id: ConnectionId::from_stored(row.connection_id),
            suspended_reason: row
                .suspended_at
                .map(|_| row.suspended_reason.unwrap_or_default()),
            join_policy: JoinPolicy::from_stored(&row.join_policy)
                .ok_or_else(|| unknown_value("join policy", &row.join_policy))?,
            invitation_lifetime: InvitationLifetime::from_stored(row.invitation_days),
            logo_url: row.logo_url,
            primary_color: row.primary_color,
            background_color: row.background_color,
            logo_etag: row.logo_etag,
        })
    }
}

fn convert(row: Option<OrgRow>) -> Result<Option<Organization>, sqlx::Error> {
    row.map(Organization::try_from).transpose()
}

pub struct OrgInsertForm<'a> {
    pub slug: &'a Slug,
    pub name: &'a OrgName,
    pub mode: MembershipMode,
    pub connection_id: &'a ConnectionId,
    pub join_policy: JoinPolicy,
}

/// Inserts an organization; `None` when its slug was taken meanwhile. The clash is not an
/// error, which on PostgreSQL would abort the caller's whole transaction.
pub async fn insert<'c, E>(
    db: E,
    form: OrgInsertForm<'_>,
) -> Result<Option<Organization>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, OrgRow>(concat!(
        "INSERT INTO organizations (id, slug, name, membership_mode, connection_id,
                                    join_policy, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (slug) DO NOTHING
         RETURNING ",
        org_columns!()
    ))
    .bind(OrganizationId::new().as_str().to_owned())
    .bind(form.slug.as_str().to_owned())
    .bind(form.name.as_str().to_owned())
    .bind(form.mode.as_str())
    .bind(form.connection_id.as_str().to_owned())
    .bind(form.join_policy.as_str())
    .bind(now())
    .fetch_optional(db)
    .await
    .and_then(convert)
}

pub async fn find_by_slug<'c, E>(db: E, slug: &str) -> Result<Option<Organization>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, OrgRow>(concat!(
        "SELECT ",
        org_columns!(),
        " FROM organizations WHERE slug = $1"
    ))
    .bind(slug.to_lowercase())
    .fetch_optional(db)
    .await
    .and_then(convert)
}

pub async fn find_by_id<'c, E>(
    db: E,
    id: &OrganizationId,
) -> Result<Option<Organization>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, OrgRow>(concat!(
        "SELECT ",
        org_columns!(),
        " FROM organizations WHERE id = $1"
    ))
    .bind(id.as_str().to_owned())
    .fetch_optional(db)
    .await
    .and_then(convert)
}

/// The isolated organization that owns a password connection.
pub async fn find_by_own_connection<'c, E>(
    db: E,
    connection: &ConnectionId,
) -> Result<Option<Organization>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, OrgRow>(concat!(
        "SELECT ",
        org_columns!(),
        " FROM organizations WHERE connection_id = $1 AND membership_mode = 'isolated'"
    ))
    .bind(connection.as_str().to_owned())
    .fetch_optional(db)
    .await
    .and_then(convert)
}

#[derive(FromRow)]
struct OrgListRow {
    id: String,
    slug: String,
    name: String,
    membership_mode: String,
    suspended_at: Option<i64>,
    members: i64,
}

impl TryFrom<OrgListRow> for OrgSummary {
    type Error = sqlx::Error;

    fn try_from(row: OrgListRow) -> Result<Self, sqlx::Error> {
        let mode = MembershipMode::from_stored(&row.membership_mode)
            .ok_or_else(|| unknown_value("membership mode", &row.membership_mode))?;
        Ok(Self {
            id: OrganizationId::from_stored(row.id),
            slug: Slug::from_stored(row.slug),
            name: row.name,
            mode,
            suspended: row.suspended_at.is_some(),
            members: row.members,
        })
    }
}

/// A page of organizations ordered by (name, id), after the given key, optionally filtered by a
/// case-insensitive substring of the name or slug. Keyset pagination: the cost of a page does
/// not grow with how far into the list it is.
pub async fn list_page<'c, E>(
    db: E,
    search: &str,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<OrgSummary>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    let (after_name, after_id) = after.unwrap_or(("", ""));
    sqlx::query_as::<_, OrgListRow>(
        "SELECT o.id, o.slug, o.name, o.membership_mode, o.suspended_at, o.member_count AS members
         FROM organizations o
         WHERE (LOWER(o.name) LIKE $1 OR o.slug LIKE $1)
           AND (o.name, o.id) > ($2, $3)
         ORDER BY o.name, o.id
         LIMIT $4",
    )
    .bind(pattern)
    .bind(after_name.to_owned())
    .bind(after_id.to_owned())
    .bind(limit)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(OrgSummary::try_from)
    .collect()
}

/// Suspends (with the reason members are shown) or, with `None`, reactivates.
pub async fn set_suspended<'c, E>(
    db: E,
    id: &OrganizationId,
    reason: Option<&str>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE organizations SET suspended_at = $1, suspended_reason = $2 WHERE id = $3")
        .bind(reason.map(|_| now()))
        .bind(reason.map(str::to_owned))
        .bind(id.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// The id of the application the organization's people land in, if it names one.
pub async fn default_application<'c, E>(
    db: E,
    id: &OrganizationId,
) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar::<_, Option<String>>(
        "SELECT default_application_id FROM organizations WHERE id = $1",
    )
    .bind(id.as_str().to_owned())
    .fetch_optional(db)
    .await
    .map(Option::flatten)
}

/// Names the application the organization's people land in (`None`: the deployment's).
pub async fn set_default_application<'c, E>(
    db: E,
    id: &OrganizationId,
    application_id: Option<&str>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE organizations SET default_application_id = $1 WHERE id = $2")
        .bind(application_id.map(str::to_owned))
        .bind(id.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Allows an organization to use a connection beyond its password connection.
pub async fn enable_connection<'c, E>(
    db: E,
    org: &OrganizationId,
    connection: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO organization_connections (organization_id, connection_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING",
    )
    .bind(org.as_str().to_owned())
    .bind(connection.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// Stops an organization from using a connection beyond its password connection; false when
/// it did not use it.
pub async fn disable_connection<'c, E>(
    db: E,
    org: &OrganizationId,
    connection: &str,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "DELETE FROM organization_connections WHERE organization_id = $1 AND connection_id = $2",
    )
    .bind(org.as_str().to_owned())
    .bind(connection.to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Takes the organization's row lock for the rest of the caller's transaction, so that checks
/// across its memberships (the last owner) and the change they allow cannot interleave with
/// another transaction's. (SQLite's write transactions are serial already.)
pub async fn lock<'c, E>(db: E, id: &OrganizationId) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE organizations SET member_count = member_count WHERE id = $1")
        .bind(id.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// The settings an organization's owners change themselves.
pub struct SettingsUpdateForm<'a> {
    pub name: &'a OrgName,
    pub join_policy: JoinPolicy,
    pub invitation_lifetime: InvitationLifetime,
}

pub async fn update_settings<'c, E>(
    db: E,
    id: &OrganizationId,
    form: SettingsUpdateForm<'_>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE organizations SET name = $1, join_policy = $2, invitation_days = $3 WHERE id = $4",
    )
    .bind(form.name.as_str().to_owned())
    .bind(form.join_policy.as_str())
    .bind(form.invitation_lifetime.days())
    .bind(id.as_str().to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// The colours an organization's admins chose (`None`: Usher's own).
pub async fn update_colors<'c, E>(
    db: E,
    id: &OrganizationId,
    primary: Option<&str>,
    background: Option<&str>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE organizations SET primary_color = $1, background_color = $2 WHERE id = $3")
        .bind(primary.map(str::to_owned))
        .bind(background.map(str::to_owned))
        .bind(id.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Records the version of the uploaded logo (`None`: no logo) and clears the operator's logo
/// address: the logo is the portal's from then on. Written with `logos::upsert` or
/// `logos::delete` in one transaction.
pub async fn set_logo_version<'c, E>(
    db: E,
    id: &OrganizationId,
    etag: Option<&str>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE organizations SET logo_etag = $1, logo_url = NULL WHERE id = $2")
        .bind(etag.map(str::to_owned))
        .bind(id.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}
