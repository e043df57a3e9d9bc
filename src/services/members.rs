//! Who belongs to an organization: the membership check every organization page starts
//! with, and the member list.
use crate::domain::{MemberSummary, Organization, Role, Slug, User};
use crate::services::paging::{self, PER_PAGE, Page};
use crate::services::{Error, Result, organizations};
use crate::state::AppState;
use crate::store::{memberships, organizations as org_store};

/// A verified membership: the organization and the member's role in it.
pub struct Membership {
    pub org: Organization,
    pub role: Role,
}

/// The user's membership of the organization `slug` names. Anyone who is not a member gets
/// `NotFound`, so that another organization's pages do not even reveal that it exists; a
/// member of a suspended organization is told why.
pub async fn membership(state: &AppState, user: &User, slug: &Slug) -> Result<Membership> {
    let org = org_store::find_by_slug(state.store.pool(), slug.as_str())
        .await?
        .ok_or(Error::NotFound)?;
    let role = memberships::find_role(state.store.pool(), &org.id, &user.id)
        .await?
        .ok_or(Error::NotFound)?;
    organizations::ensure_active_for_member(&org)?;
    Ok(Membership { org, role })
}

/// A page of the organization's members, by join time.
pub async fn page(
    state: &AppState,
    org: &Organization,
    after: Option<&str>,
) -> Result<Page<MemberSummary>> {
    let after = after.and_then(paging::parse_member_key);
    let members = memberships::list_page(state.store.pool(), &org.id, after, PER_PAGE).await?;
    Ok(Page::of(members, |m| {
        paging::member_key(m.joined_at, m.user_id.as_str())
    }))
}
