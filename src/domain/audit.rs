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

/// Every kind of action the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    OrganizationCreated,
    OrganizationSuspended,
    OrganizationReactivated,
    OrganizationSettingsChanged,
    BrandingChanged,
    InvitationSent,
    InvitationResent,
    InvitationRevoked,
    InvitationAccepted,
    MemberJoined,
    MemberRoleChanged,
    MemberRemoved,
    MemberLeft,
    DomainAdded,
    DomainVerified,
    DomainUnverified,
    DomainRemoved,
    ApplicationCreated,
    ApplicationSecretRotated,
    UserBlocked,
    UserUnblocked,
    SsoConnectionCreated,
    SsoConnectionChanged,
    SsoSecretReplaced,
    SsoConnectionEnabled,
    SsoConnectionDisabled,
    SsoConnectionDeleted,
    SsoUserCreated,
    SsoAccountLinked,
    LegacyConnectionCreated,
    LegacyConnectionChanged,
    LegacyConnectionEnabled,
    LegacyConnectionDisabled,
    ImportStarted,
    LegacyUserMigrated,
}

impl AuditAction {
    pub const ALL: [Self; 35] = [
        Self::OrganizationCreated,
        Self::OrganizationSuspended,
        Self::OrganizationReactivated,
        Self::OrganizationSettingsChanged,
        Self::BrandingChanged,
        Self::InvitationSent,
        Self::InvitationResent,
        Self::InvitationRevoked,
        Self::InvitationAccepted,
        Self::MemberJoined,
        Self::MemberRoleChanged,
        Self::MemberRemoved,
        Self::MemberLeft,
        Self::DomainAdded,
        Self::DomainVerified,
        Self::DomainUnverified,
        Self::DomainRemoved,
        Self::ApplicationCreated,
        Self::ApplicationSecretRotated,
        Self::UserBlocked,
        Self::UserUnblocked,
        Self::SsoConnectionCreated,
        Self::SsoConnectionChanged,
        Self::SsoSecretReplaced,
        Self::SsoConnectionEnabled,
        Self::SsoConnectionDisabled,
        Self::SsoConnectionDeleted,
        Self::SsoUserCreated,
        Self::SsoAccountLinked,
        Self::LegacyConnectionCreated,
        Self::LegacyConnectionChanged,
        Self::LegacyConnectionEnabled,
        Self::LegacyConnectionDisabled,
        Self::ImportStarted,
        Self::LegacyUserMigrated,
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
            Self::OrganizationSettingsChanged => "organization.settings_changed",
            Self::BrandingChanged => "organization.branding_changed",
            Self::InvitationSent => "invitation.sent",
            Self::InvitationResent => "invitation.resent",
            Self::InvitationRevoked => "invitation.revoked",
            Self::InvitationAccepted => "invitation.accepted",
            Self::MemberJoined => "member.joined",
            Self::MemberRoleChanged => "member.role_changed",
            Self::MemberRemoved => "member.removed",
            Self::MemberLeft => "member.left",
            Self::DomainAdded => "domain.added",
            Self::DomainVerified => "domain.verified",
            Self::DomainUnverified => "domain.unverified",
            Self::DomainRemoved => "domain.removed",
            Self::ApplicationCreated => "application.created",
            Self::ApplicationSecretRotated => "application.secret_rotated",
            Self::UserBlocked => "user.blocked",
            Self::UserUnblocked => "user.unblocked",
            Self::SsoConnectionCreated => "sso.connection_created",
            Self::SsoConnectionChanged => "sso.connection_changed",
            Self::SsoSecretReplaced => "sso.secret_replaced",
            Self::SsoConnectionEnabled => "sso.connection_enabled",
            Self::SsoConnectionDisabled => "sso.connection_disabled",
            Self::SsoConnectionDeleted => "sso.connection_deleted",
            Self::SsoUserCreated => "sso.user_created",
            Self::SsoAccountLinked => "sso.account_linked",
            Self::LegacyConnectionCreated => "legacy.connection_created",
            Self::LegacyConnectionChanged => "legacy.connection_changed",
            Self::LegacyConnectionEnabled => "legacy.connection_enabled",
            Self::LegacyConnectionDisabled => "legacy.connection_disabled",
            Self::ImportStarted => "import.started",
            Self::LegacyUserMigrated => "legacy.user_migrated",
        }
    }
}

/// What an action was done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Organization,
    User,
    Invitation,
    Domain,
    Application,
    Connection,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::User => "user",
            Self::Invitation => "invitation",
            Self::Domain => "domain",
            Self::Application => "application",
            Self::Connection => "connection",
        }
    }

    /// The kind stored as `value`; `None` for a value this version does not know.
    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Organization,
            Self::User,
            Self::Invitation,
            Self::Domain,
            Self::Application,
            Self::Connection,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == value)
    }
}

/// The target of an action: its kind and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditTarget {
    pub kind: TargetKind,
    pub id: String,
}

impl AuditTarget {
    pub fn user(id: &UserId) -> Self {
        Self {
            kind: TargetKind::User,
            id: id.to_string(),
        }
    }

    pub fn organization(id: &super::OrganizationId) -> Self {
        Self {
            kind: TargetKind::Organization,
            id: id.to_string(),
        }
    }

    pub fn invitation(id: &str) -> Self {
        Self {
            kind: TargetKind::Invitation,
            id: id.to_owned(),
        }
    }

    pub fn application(id: &str) -> Self {
        Self {
            kind: TargetKind::Application,
            id: id.to_owned(),
        }
    }

    pub fn connection(id: &super::ConnectionId) -> Self {
        Self {
            kind: TargetKind::Connection,
            id: id.to_string(),
        }
    }

    pub fn domain(id: &str) -> Self {
        Self {
            kind: TargetKind::Domain,
            id: id.to_owned(),
        }
    }
}

/// An event to record: who did what to what, in which organization, with its details (a
/// JSON object) and a one-line summary for people.
#[derive(Debug, Clone)]
pub struct NewAuditEvent<'a> {
    pub actor: &'a Actor,
    pub action: AuditAction,
    pub organization: Option<&'a super::OrganizationId>,
    pub target: Option<AuditTarget>,
    pub details: serde_json::Value,
    pub summary: String,
}

impl AuditAction {
    /// False for the actions of the platform operator that no organization's log holds.
    pub fn concerns_organizations(self) -> bool {
        !matches!(
            self,
            Self::ApplicationCreated
                | Self::ApplicationSecretRotated
                | Self::UserBlocked
                | Self::UserUnblocked
                | Self::LegacyConnectionCreated
                | Self::LegacyConnectionChanged
                | Self::ImportStarted
        )
    }

    /// The action in plain words, for filters and lists.
    pub fn label(self) -> &'static str {
        match self {
            Self::OrganizationCreated => "Organization created",
            Self::OrganizationSuspended => "Organization suspended",
            Self::OrganizationReactivated => "Organization reactivated",
            Self::OrganizationSettingsChanged => "Settings changed",
            Self::BrandingChanged => "Branding changed",
            Self::InvitationSent => "Invitation sent",
            Self::InvitationResent => "Invitation resent",
            Self::InvitationRevoked => "Invitation revoked",
            Self::InvitationAccepted => "Invitation accepted",
            Self::MemberJoined => "Member joined",
            Self::MemberRoleChanged => "Role changed",
            Self::MemberRemoved => "Member removed",
            Self::MemberLeft => "Member left",
            Self::DomainAdded => "Domain added",
            Self::DomainVerified => "Domain verified",
            Self::DomainUnverified => "Domain no longer verified",
            Self::DomainRemoved => "Domain removed",
            Self::ApplicationCreated => "Application registered",
            Self::ApplicationSecretRotated => "Application secret replaced",
            Self::UserBlocked => "User blocked",
            Self::UserUnblocked => "User unblocked",
            Self::SsoConnectionCreated => "SSO connection added",
            Self::SsoConnectionChanged => "SSO connection changed",
            Self::SsoSecretReplaced => "SSO client secret replaced",
            Self::SsoConnectionEnabled => "SSO connection enabled",
            Self::SsoConnectionDisabled => "SSO connection disabled",
            Self::SsoConnectionDeleted => "SSO connection deleted",
            Self::SsoUserCreated => "Created at first SSO sign-in",
            Self::SsoAccountLinked => "Account linked to SSO",
            Self::LegacyConnectionCreated => "Legacy store added",
            Self::LegacyConnectionChanged => "Legacy store changed",
            Self::LegacyConnectionEnabled => "Legacy store enabled",
            Self::LegacyConnectionDisabled => "Legacy store disabled",
            Self::ImportStarted => "Import started",
            Self::LegacyUserMigrated => "Came over from a legacy store",
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
    pub target: Option<AuditTarget>,
    /// A JSON object; `{}` for events from before details were recorded.
    pub details: serde_json::Value,
    /// One line for people.
    pub summary: String,
    pub client_ip: Option<String>,
}
