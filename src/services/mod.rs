//! Use cases. The only callers of the store and the mail queue; each owns its transaction.
pub mod account;
pub mod authentication;
pub mod operator;
pub mod recovery;
pub mod registration;
pub mod throttle;
