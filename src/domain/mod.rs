//! Pure types and rules of the domain: no I/O.
pub mod audit;
pub mod email;
pub mod ids;
pub mod name;
pub mod organization;
pub mod password;
pub mod signup;
pub mod token;
pub mod user;

pub use email::Email;
pub use ids::{ConnectionId, OrganizationId, UserId};
pub use name::DisplayName;
pub use organization::{MembershipMode, OrgName, Organization, Role, Slug};
pub use password::{NewPassword, PasswordRules};
pub use signup::{PendingSignup, SignupIntent};
pub use token::{BrowserId, EmailToken, TokenPurpose};
pub use user::User;
