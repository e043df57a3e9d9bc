//! The HTTP client for the calls Usher makes to other servers (back-channel logout to the
//! product's applications). Every call has short connect and read timeouts, so a peer that
//! hangs fails the call in seconds, and redirects are never followed: a peer answers where it
//! was registered or not at all.
use std::time::Duration;

use anyhow::Context;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

pub fn client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .timeout(CONNECT_TIMEOUT + READ_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Usher/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the outbound HTTP client")
}
