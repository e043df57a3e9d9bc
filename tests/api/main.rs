//! Usher's integration tests: each test starts its own application on a random port with a
//! fresh database (SQLite by default; PostgreSQL when TEST_DATABASE=postgres).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod helpers;

mod account;
mod applications;
mod audit_log;
mod branding;
mod domains;
mod faces;
mod hardening;
mod imports;
mod jobs;
mod legacy;
mod legacy_hashes;
mod lockout;
mod logs;
mod mail;
mod migration_parity;
mod oidc_authorize;
mod oidc_sessions;
mod oidc_tokens;
mod operator;
mod org_admin;
mod org_membership;
mod org_operator;
mod org_signup;
mod pending_signups;
mod probes;
mod recovery;
mod scale_out;
mod security;
mod sign_in;
mod sign_up;
mod signing_keys;
mod sso;
mod tenant_isolation;
mod throttling;
