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
    client_with_timeouts(extra_ca_file, CONNECT_TIMEOUT, READ_TIMEOUT)
}

/// `client` with other timeouts (a legacy store, which a sign-in waits for, gets shorter ones).
pub fn client_with_timeouts(
    extra_ca_file: Option<&Path>,
    connect: Duration,
    read: Duration,
) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder();
    if let Some(path) = extra_ca_file {
        let pem = std::fs::read(path)
            .with_context(|| format!("USHER_EXTRA_CA_FILE: cannot read {}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .with_context(|| format!("USHER_EXTRA_CA_FILE: {} is not PEM", path.display()))?;
        if certs.is_empty() {
            anyhow::bail!(
                "USHER_EXTRA_CA_FILE: {} holds no certificate",
                path.display()
            );
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .connect_timeout(connect)
        .read_timeout(read)
        .timeout(connect + read)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Usher/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the outbound HTTP client")
}

#[cfg(test)]
mod tests {
    use super::client;

    #[test]
    fn an_extra_authority_file_must_hold_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        assert!(client(Some(&missing)).is_err(), "a missing file");
        let garbage = dir.path().join("garbage.pem");
        std::fs::write(&garbage, "not a certificate").unwrap();
        assert!(
            client(Some(&garbage)).is_err(),
            "a file without certificates"
        );
        assert!(client(None).is_ok());
    }
}
