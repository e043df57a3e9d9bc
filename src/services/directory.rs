//! What the platform operator reads: every organization, user and audit event.
use crate::domain::{
    AuditEntry, Connection, MemberSummary, OrgSummary, Organization, Slug, UserSummary,
};
use crate::services::paging::{self, PER_PAGE, Page};
use crate::services::{Error, Result};
use crate::state::AppState;
use crate::store::{audit, connections, organizations, users};

/// Organizations by name, optionally those whose name or slug contains `search`.
pub async fn organizations(
    state: &AppState,
    search: &str,
    after: Option<&str>,
) -> Result<Page<OrgSummary>> {
    let after = after.and_then(paging::parse_org_key);
    let orgs = organizations::list_page(state.store.pool(), search, after, PER_PAGE).await?;
    Ok(Page::of(orgs, |o| paging::org_key(&o.name, o.id.as_str())))
}

/// One organization, by its slug, with a page of its members.
pub async fn organization(
    state: &AppState,
    slug: &str,
    after: Option<&str>,
) -> Result<(Organization, Page<MemberSummary>)> {
    let org = organizations::find_by_slug(state.store.pool(), slug)
        .await?
        .ok_or(Error::NotFound)?;
    let members = crate::services::members::page(state, &org, "", after).await?;
    Ok((org, members))
}

/// Users across the deployment, newest first.
pub async fn users(state: &AppState, before: Option<&str>) -> Result<Page<UserSummary>> {
    let users = users::list_page(state.store.pool(), before, PER_PAGE).await?;
    Ok(Page::of(users, |u| u.id.to_string()))
}

/// The audit log, newest first.
pub async fn audit_log(state: &AppState, before: Option<&str>) -> Result<Page<AuditEntry>> {
    let events = audit::list_page(state.store.pool(), before, PER_PAGE).await?;
    Ok(Page::of(events, |e| e.id.clone()))
}

/// Connections an organization may be allowed to use besides its password connection.
pub async fn shareable_connections(state: &AppState) -> Result<Vec<Connection>> {
    Ok(connections::list_shareable(state.store.pool()).await?)
}

/// The organization a slug names, whoever asks (its branding is public).
pub async fn organization_by_slug(state: &AppState, slug: &Slug) -> Result<Organization> {
    organizations::find_by_slug(state.store.pool(), slug.as_str())
        .await?
        .ok_or(Error::NotFound)
}
