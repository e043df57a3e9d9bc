//! The OpenID Provider's rules, without I/O: what an authorization request may ask for, PKCE,
//! scopes, token lifetimes, and the error codes of RFC 6749 and OpenID Connect.
pub mod error;
pub mod pkce;
pub mod request;
pub mod scope;

pub use error::{ErrorCode, OAuthError};
pub use pkce::CodeChallenge;
pub use request::{AuthorizationRequest, AuthorizeParams, Prompt};
pub use scope::Scope;

/// How long an authorization code may wait for its exchange.
pub const CODE_LIFETIME_SECS: i64 = 60;
/// How long a person may take to sign in (or sign up and verify) before the request lapses.
pub const REQUEST_LIFETIME_SECS: i64 = 3600;
/// Access tokens are JWTs verified offline: short-lived, since they cannot be recalled.
pub const ACCESS_TOKEN_LIFETIME_SECS: i64 = 600;
pub const ID_TOKEN_LIFETIME_SECS: i64 = 600;
pub const REFRESH_TOKEN_LIFETIME_SECS: i64 = 30 * 24 * 3600;
