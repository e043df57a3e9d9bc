//! Who is asking: sessions, the CSRF check and the extractors that hand handlers a verified
//! caller. Password hashing lives in `crate::credentials`.
pub mod cookies;
pub mod csrf;
pub mod current_user;
pub mod org_member;
pub mod session;

pub use cookies::Browser;
pub use current_user::{CurrentUser, Operator};
pub use org_member::{OrgAdmin, OrgMember, OrgOwner};
pub use session::TypedSession;
