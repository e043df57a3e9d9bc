//! Use cases. The only callers of the store and the mail queue; each owns its transaction.
pub mod account;
pub mod authentication;
pub mod invitations;
pub mod landing;
pub mod operator;
pub mod organizations;
pub mod recovery;
pub mod registration;
pub mod throttle;
