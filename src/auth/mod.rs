//! Who is asking: sessions, the CSRF check, password hashing and the extractors that hand
//! handlers a verified caller.
pub mod cookies;
pub mod csrf;
pub mod current_user;
pub mod org_member;
pub mod password;
pub mod session;

pub use cookies::Browser;
pub use current_user::{CurrentUser, Operator};
pub use org_member::{OrgAdmin, OrgMember, OrgOwner};
pub use password::Passwords;
pub use session::TypedSession;
