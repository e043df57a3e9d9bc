//! Domains organizations claim. A name is claimed once per organization (a unique key), and
//! verified by one organization at most (a partial unique index on verified names).
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::{DomainId, DomainName, OrgDomain, OrganizationId, VerificationToken};

/// The columns a `DomainRow` is read from, as a literal for `concat!`.
macro_rules! domain_columns {
    () => {
        "id, organization_id, name, verification_token, verified_at, last_checked_at, \
         last_error, created_at"
    };
}

#[derive(FromRow)]
struct DomainRow {
    id: String,
    organization_id: String,
    name: String,
    verification_token: String,
    verified_at: Option<i64>,
    last_checked_at: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
}

impl From<DomainRow> for OrgDomain {
    fn from(row: DomainRow) -> Self {
        Self {
            id: DomainId::from_stored(row.id),
            organization_id: OrganizationId::from_stored(row.organization_id),
            name: DomainName::from_stored(row.name),
            token: VerificationToken::from_stored(row.verification_token),
            verified_at: row.verified_at,
            last_checked_at: row.last_checked_at,
            last_error: row.last_error,
            created_at: row.created_at,
        }
    }
}

/// Claims `name` for the organization, unverified, with a fresh token; `None` when the
/// organization has claimed it already. The clash is not an error, which on PostgreSQL would
/// abort the caller's whole transaction.
pub async fn insert<'c, E>(
    db: E,
    org: &OrganizationId,
    name: &DomainName,
) -> Result<Option<OrgDomain>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, DomainRow>(concat!(
        "INSERT INTO domains (id, organization_id, name, verification_token, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id, name) DO NOTHING
         RETURNING ",
        domain_columns!()
    ))
    .bind(DomainId::new().as_str().to_owned())
    .bind(org.as_str().to_owned())
    .bind(name.as_str().to_owned())
    .bind(VerificationToken::generate().as_str().to_owned())
    .bind(now())
    .fetch_optional(db)
    .await?;
    Ok(row.map(OrgDomain::from))
}

/// The organization's domains, by name.
pub async fn list_for_org<'c, E>(db: E, org: &OrganizationId) -> Result<Vec<OrgDomain>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let rows = sqlx::query_as::<_, DomainRow>(concat!(
        "SELECT ",
        domain_columns!(),
        " FROM domains WHERE organization_id = $1 ORDER BY name"
    ))
    .bind(org.as_str().to_owned())
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(OrgDomain::from).collect())
}

/// One of the organization's domains; another organization's id finds nothing.
pub async fn find<'c, E>(
    db: E,
    org: &OrganizationId,
    id: &DomainId,
) -> Result<Option<OrgDomain>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, DomainRow>(concat!(
        "SELECT ",
        domain_columns!(),
        " FROM domains WHERE organization_id = $1 AND id = $2"
    ))
    .bind(org.as_str().to_owned())
    .bind(id.as_str().to_owned())
    .fetch_optional(db)
    .await?;
    Ok(row.map(OrgDomain::from))
}

/// True when an organization other than `org` has verified `name`.
pub async fn verified_by_other<'c, E>(
    db: E,
    org: &OrganizationId,
    name: &DomainName,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM domains
         WHERE name = $1 AND verified_at IS NOT NULL AND organization_id <> $2",
    )
    .bind(name.as_str().to_owned())
    .bind(org.as_str().to_owned())
    .fetch_one(db)
    .await?;
    Ok(count > 0)
}

/// The organization that has verified `name`, if any (there is one at most).
pub async fn find_verifier<'c, E>(
    db: E,
    name: &DomainName,
) -> Result<Option<OrganizationId>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let id: Option<String> = sqlx::query_scalar(
        "SELECT organization_id FROM domains WHERE name = $1 AND verified_at IS NOT NULL",
    )
    .bind(name.as_str().to_owned())
    .fetch_optional(db)
    .await?;
    Ok(id.map(OrganizationId::from_stored))
}

/// Marks the domain verified now; false when it already was. A name another organization
/// verified meanwhile violates the unique index: the caller's transaction is then void.
pub async fn mark_verified<'c, E>(db: E, id: &DomainId, at: i64) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE domains SET verified_at = $1, last_checked_at = $1, last_error = NULL
         WHERE id = $2 AND verified_at IS NULL",
    )
    .bind(at)
    .bind(id.as_str().to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a look-up that did not change whether the domain is verified: when, and why it did
/// not prove the claim (`None`: it did).
pub async fn record_check<'c, E>(
    db: E,
    id: &DomainId,
    at: i64,
    error: Option<&str>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE domains SET last_checked_at = $1, last_error = $2 WHERE id = $3")
        .bind(at)
        .bind(error.map(str::to_owned))
        .bind(id.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Withdraws a verification, keeping why; false when the domain was not verified (another
/// check got there first), so that one withdrawal is audited once.
pub async fn mark_unverified<'c, E>(
    db: E,
    id: &DomainId,
    at: i64,
    error: &str,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE domains SET verified_at = NULL, last_checked_at = $1, last_error = $2
         WHERE id = $3 AND verified_at IS NOT NULL",
    )
    .bind(at)
    .bind(error.to_owned())
    .bind(id.as_str().to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Verified domains due for another look: those last checked before `checked_before`, and
/// those whose last look got no answer before `failed_before`; longest unchecked first.
pub async fn list_due_for_recheck<'c, E>(
    db: E,
    checked_before: i64,
    failed_before: i64,
    limit: i64,
) -> Result<Vec<OrgDomain>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let rows = sqlx::query_as::<_, DomainRow>(concat!(
        "SELECT ",
        domain_columns!(),
        " FROM domains
          WHERE verified_at IS NOT NULL
            AND (last_checked_at IS NULL OR last_checked_at < $1
                 OR (last_error IS NOT NULL AND last_checked_at < $2))
          ORDER BY COALESCE(last_checked_at, 0), id
          LIMIT $3"
    ))
    .bind(checked_before)
    .bind(failed_before)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(OrgDomain::from).collect())
}

/// Forgets one of the organization's domains; false when there was none.
pub async fn delete<'c, E>(db: E, org: &OrganizationId, id: &DomainId) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query("DELETE FROM domains WHERE organization_id = $1 AND id = $2")
        .bind(org.as_str().to_owned())
        .bind(id.as_str().to_owned())
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
