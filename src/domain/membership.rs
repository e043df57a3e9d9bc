//! Memberships as lists show them.
use super::{DisplayName, Email, OrganizationId, Role, Slug, UserId};

/// One member on an organization's member list.
#[derive(Debug, Clone)]
pub struct MemberSummary {
    pub user_id: UserId,
    pub name: DisplayName,
    pub email: Email,
    pub role: Role,
    /// Unix seconds.
    pub joined_at: i64,
}

/// One of a user's organizations, as the picker offers it.
#[derive(Debug, Clone)]
pub struct OrgChoice {
    pub id: OrganizationId,
    pub slug: Slug,
    pub name: String,
    pub role: Role,
    pub suspended: bool,
}
