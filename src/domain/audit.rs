//! Audit events: who did what, from where.
use super::{User, UserId};

/// Who acted, as recorded in the audit log.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub email: Option<String>,
    pub client_ip: Option<String>,
}

impl Actor {
    /// A signed-in (or just created) user acting from `client_ip`.
    pub fn user(user: &User, client_ip: &str) -> Self {
        Self {
            user_id: Some(user.id.clone()),
            email: Some(user.email.to_string()),
            client_ip: Some(client_ip.to_owned()),
        }
    }
}

/// Every kind of provisioning action the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    OrganizationCreated,
    OrganizationSuspended,
    OrganizationReactivated,
    InvitationSent,
    InvitationAccepted,
    MemberJoined,
}

impl AuditAction {
    pub const ALL: [Self; 6] = [
        Self::OrganizationCreated,
        Self::OrganizationSuspended,
        Self::OrganizationReactivated,
        Self::InvitationSent,
        Self::InvitationAccepted,
        Self::MemberJoined,
    ];

    /// The action stored as `value`; `None` for a value this version does not know.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|action| action.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrganizationCreated => "organization.created",
            Self::OrganizationSuspended => "organization.suspended",
            Self::OrganizationReactivated => "organization.reactivated",
            Self::InvitationSent => "invitation.sent",
            Self::InvitationAccepted => "invitation.accepted",
            Self::MemberJoined => "member.joined",
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event of the audit log, as the operator reads it.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: String,
    /// Unix seconds.
    pub occurred_at: i64,
    /// Who acted; `None` for Usher itself.
    pub actor_email: Option<String>,
    pub action: AuditAction,
    pub org_slug: Option<super::Slug>,
    pub subject: String,
    pub client_ip: Option<String>,
}
