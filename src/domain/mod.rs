//! Pure types and rules of the domain: no I/O.
pub mod email;
pub mod ids;
pub mod name;
pub mod password;
pub mod token;
pub mod user;

pub use email::Email;
pub use ids::{ConnectionId, UserId};
pub use name::DisplayName;
pub use password::NewPassword;
pub use token::{EmailToken, TokenPurpose};
pub use user::User;
