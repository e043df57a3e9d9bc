//! Pure types and rules of the domain: no I/O.
pub mod audit;
pub mod branding;
pub mod connection;
pub mod email;
pub mod ids;
pub mod invitation;
pub mod mail;
pub mod membership;
pub mod name;
pub mod organization;
pub mod password;
pub mod signup;
pub mod token;
pub mod user;

pub use audit::{AuditAction, AuditEntry};
pub use connection::{Connection, ConnectionKind};
pub use email::Email;
pub use ids::{ConnectionId, OrganizationId, UserId};
pub use invitation::{InvitationLifetime, InvitationState, InvitationSummary};
pub use mail::QueuedMail;
pub use membership::{MemberSummary, MembershipRefusal, OrgChoice};
pub use name::DisplayName;
pub use organization::{JoinPolicy, MembershipMode, OrgName, OrgSummary, Organization, Role, Slug};
pub use password::{NewPassword, PasswordRules};
pub use signup::{PendingSignup, SignupIntent};
pub use token::{BrowserId, EmailToken, TokenPurpose};
pub use user::{User, UserSummary};
