//! The HTTP client for the calls Usher makes to other servers (back-channel logout to the
//! product's applications, organizations' identity providers). Every call has short connect
//! and read timeouts, so a peer that hangs fails the call in seconds, TLS is verified (against
//! the system's authorities and an optional private one), and redirects are never followed: a
//! peer answers where it was registered or not at all.
use std::path::Path;
use std::time::Duration;

use anyhow::Context;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

pub fn client(extra_ca_file: Option<&Path>) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder();
    if let Some(path) = extra_ca_file {
        let pem = std::fs::read(path)
            .with_context(|| format!("USHER_EXTRA_CA_FILE: cannot read {}", path.display()))?;
        for cert in reqwest::Certificate::from_pem_bundle(&pem)
            .with_context(|| format!("USHER_EXTRA_CA_FILE: {} is not PEM", path.display()))?
        {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .timeout(CONNECT_TIMEOUT + READ_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Usher/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the outbound HTTP client")
}
