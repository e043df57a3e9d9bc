//! Use cases: the one typed boundary between the faces (browser pages, JSON) and the store.
//! The only callers of the store and the mail queue; each owns its transaction, returns domain
//! values, and refuses with `Error`.
pub mod account;
pub mod applications;
pub mod audit_log;
pub mod authentication;
pub mod blocking;
pub mod branding;
pub mod dev_outbox;
pub mod directory;
pub mod domains;
pub mod error;
pub mod health;
pub mod import;
pub mod invitations;
pub mod landing;
pub mod legacy;
pub mod members;
pub mod oauth;
pub mod operator;
pub mod organizations;
pub mod overview;
pub mod paging;
pub mod recovery;
pub mod registration;
pub mod signing_keys;
pub mod sso;
pub mod throttle;

pub use error::{Conflict, Error, Result, SetupError};
