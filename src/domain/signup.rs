//! A sign-up waiting for its email to be verified, and what verifying it creates.
use super::{ConnectionId, DisplayName, Email, OrgName, OrganizationId, Slug};

/// What verifying a sign-up creates besides the account. Nothing of it exists before: an
/// unverified sign-up holds no slug and makes nobody a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupIntent {
    /// A plain account.
    Account,
    /// Membership of an organization that allows self sign-up.
    Join(OrganizationId),
    /// A new organization that the person founds and owns.
    Found { name: OrgName, slug: Slug },
}

/// A sign-up as stored: the password typed with it (as a hash) counts only once the person
/// proves the mailbox from the browser that typed it, or by typing it again.
#[derive(Debug, Clone)]
pub struct PendingSignup {
    pub id: String,
    pub connection_id: ConnectionId,
    pub email: Email,
    pub name: DisplayName,
    pub password_hash: String,
    pub browser_hash: String,
    pub intent: SignupIntent,
    pub client_ip: String,
}
