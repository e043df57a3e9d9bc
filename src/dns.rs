//! DNS lookups for domain verification, through `hickory-resolver`: a stub resolver inside the
//! process, so that the server asked is exactly the one configured (`USHER_DNS_SERVER`, which
//! tests point at a DNS server of their own on 127.0.0.1), or else the system's.
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;

/// How long one query waits for an answer: a person pressed "Verify" and is waiting.
const TIMEOUT: Duration = Duration::from_secs(3);
/// Queries sent before giving up on a server that does not answer.
const ATTEMPTS: usize = 1;

/// The resolver Usher asks, built once at start and shared (cloning shares its connections).
#[derive(Clone)]
pub struct DnsResolver {
    inner: TokioResolver,
}

/// Why a lookup got no answer, in words for the organization's admins.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupFailure {
    #[error("The DNS server did not answer in time.")]
    Timeout,
    #[error("The DNS server refused to answer ({0}).")]
    ServerError(String),
    #[error("The DNS lookup failed.")]
    Other,
}

impl DnsResolver {
    /// A resolver asking `server` (UDP, TCP for long answers), or the servers of the system's
    /// configuration (`/etc/resolv.conf`) when it is `None`.
    pub fn new(server: Option<SocketAddr>) -> anyhow::Result<Self> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match server {
            Some(addr) => {
                let mut connections = vec![ConnectionConfig::udp(), ConnectionConfig::tcp()];
                for connection in &mut connections {
                    connection.port = addr.port();
                }
                let server = NameServerConfig::new(addr.ip(), true, connections);
                let config = ResolverConfig::from_name_servers(vec![server]);
                TokioResolver::builder_with_config(config, provider)
            }
            None => TokioResolver::builder(provider).context(
                "cannot read the system's DNS configuration; set USHER_DNS_SERVER to ip:port",
            )?,
        };
        let options = builder.options_mut();
        options.timeout = TIMEOUT;
        options.attempts = ATTEMPTS;
        // A verification asks what is published now: an answer cached from before the admin
        // published (or removed) the record would be wrong. No cache at all.
        options.cache_size = 0;
        options.positive_max_ttl = Some(Duration::ZERO);
        options.negative_max_ttl = Some(Duration::ZERO);
        let inner = builder.build().context("cannot build the DNS resolver")?;
        Ok(Self { inner })
    }

    /// The TXT values published at `name` (a fully qualified name, ending in a dot), each
    /// record's strings joined as RFC 7208 joins them. Empty when the name or its TXT records
    /// do not exist: that is an answer, not a failure.
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, LookupFailure> {
        match self.inner.txt_lookup(name).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .filter_map(|record| match &record.data {
                    RData::TXT(txt) => Some(
                        txt.txt_data
                            .iter()
                            .map(|part| String::from_utf8_lossy(part))
                            .collect::<String>(),
                    ),
                    _ => None,
                })
                .collect()),
            Err(err) if err.is_no_records_found() => Ok(Vec::new()),
            Err(err) => {
                tracing::warn!(name, error = %err, "TXT lookup failed");
                Err(failure(&err))
            }
        }
    }
}

fn failure(err: &NetError) -> LookupFailure {
    use hickory_resolver::net::DnsError;
    match err {
        NetError::Timeout => LookupFailure::Timeout,
        NetError::Dns(DnsError::ResponseCode(code)) => LookupFailure::ServerError(code.to_string()),
        _ => LookupFailure::Other,
    }
}
