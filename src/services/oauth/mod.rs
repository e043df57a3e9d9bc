//! Usher as the OpenID Provider of the product's own applications: authorization requests,
//! codes, tokens and what they say.
pub mod authorize;
pub mod backchannel;
pub mod claims;
pub mod clients;
pub mod id_token;
pub mod initiate_login;
pub mod introspection;
pub mod jwt;
pub mod logout;
pub mod tokens;
