//! The OpenID Provider's endpoints for applications (not browsers): discovery, JWKS, token,
//! userinfo, revocation and introspection. `/oauth/authorize` and `/oauth/logout` are pages,
//! in the browser face.
pub mod client_auth;
pub mod discovery;
pub mod jwks;
pub mod revocation;
pub mod token;
pub mod userinfo;
