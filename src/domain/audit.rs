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
