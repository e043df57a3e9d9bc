//! What the deployment holds, at a glance.

/// The counts on the operator's portal home.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub organizations: i64,
    pub users: i64,
    /// Sent, not yet accepted, revoked or expired.
    pub pending_invitations: i64,
}
