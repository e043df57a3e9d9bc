//! Settings: built from defaults and the environment by `from_env`, or directly by tests.
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::{Context, bail};
use secrecy::SecretString;
use url::Url;

use crate::domain::PasswordRules;

/// Everything Usher needs to start. Passed in, never global.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to bind, e.g. `127.0.0.1:8080`; port 0 picks a free port.
    pub listen: String,
    /// External base URL; `None` means `http://` + the bound address.
    pub public_url: Option<Url>,
    /// SQLite file, dev mail and the generated secret key live here.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; `None` means the SQLite file in the data dir.
    pub database_url: Option<String>,
    /// `smtp://`, `smtp://user:pass@` (STARTTLS) or `smtps://`; `None` selects the dev outbox.
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    /// Cookie signing key material; `None` means generated into the data dir.
    pub secret_key: Option<SecretString>,
    /// Sign-in, sign-up and recovery POSTs allowed per client IP per minute.
    pub auth_rate_limit: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the real client (canonical addresses:
    /// an IPv4-mapped IPv6 address is stored as the IPv4 address).
    pub trusted_proxies: Vec<IpAddr>,
    /// What new passwords must meet (the minimum length).
    pub password_rules: PasswordRules,
    /// Mails a stranger can make Usher send to one address (sign-up, resend, reset).
    pub recipient_mail_limit: RecipientMailLimit,
    /// The DNS server that domain verification asks; `None` means the system's resolvers.
    pub dns_server: Option<SocketAddr>,
    /// A PEM file of certificate authorities trusted beside the system's, for identity
    /// providers behind a private CA.
    pub extra_ca_file: Option<PathBuf>,
}

/// How many unsolicited mails one address may receive: beyond it, requests are answered as
/// usual but send nothing, so nobody can flood a mailbox through Usher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecipientMailLimit {
    pub per_minute: i64,
    pub per_hour: i64,
}

impl RecipientMailLimit {
    pub const OFF: Self = Self {
        per_minute: 0,
        per_hour: 0,
    };

    pub fn is_off(self) -> bool {
        self == Self::OFF
    }
}

impl Default for RecipientMailLimit {
    fn default() -> Self {
        Self {
            per_minute: 1,
            per_hour: 5,
        }
    }
}

impl Settings {
    /// Defaults for a single machine: SQLite under `./data`, dev outbox.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            data_dir: data_dir.into(),
            database_url: None,
            smtp_url: None,
            mail_from: "Usher <no-reply@localhost>".into(),
            secret_key: None,
            auth_rate_limit: 30,
            trusted_proxies: Vec::new(),
            password_rules: PasswordRules::default(),
            recipient_mail_limit: RecipientMailLimit::default(),
            dns_server: None,
            extra_ca_file: None,
        }
    }

    /// Reads the variables of the configuration table in the README.
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut settings = Self::new(var("USHER_DATA_DIR").unwrap_or_else(|| "./data".into()));
        if let Some(listen) = var("USHER_LISTEN") {
            settings.listen = listen;
        }
        if let Some(url) = var("USHER_PUBLIC_URL") {
            let url = Url::parse(&url).context("USHER_PUBLIC_URL is not a valid URL")?;
            if !matches!(url.scheme(), "http" | "https") {
                bail!("USHER_PUBLIC_URL must start with http:// or https://");
            }
            settings.public_url = Some(url);
        }
        settings.database_url = var("DATABASE_URL");
        settings.smtp_url = var("USHER_SMTP_URL").map(SecretString::from);
        if let Some(from) = var("USHER_MAIL_FROM") {
            settings.mail_from = from;
        }
        settings.secret_key = var("USHER_SECRET_KEY").map(SecretString::from);
        if let Some(limit) = var("USHER_AUTH_RATE_LIMIT") {
            settings.auth_rate_limit = limit
                .parse()
                .context("USHER_AUTH_RATE_LIMIT must be a whole number of requests per minute")?;
        }
        if let Some(proxies) = var("USHER_TRUSTED_PROXIES") {
            settings.trusted_proxies = proxies
                .split(',')
                .map(|ip| ip.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()))
                .collect::<Result<_, _>>()
                .context("USHER_TRUSTED_PROXIES must be a comma-separated list of IP addresses")?;
        }
        if let Some(min) = var("USHER_PASSWORD_MIN_LENGTH") {
            let min = min
                .parse()
                .context("USHER_PASSWORD_MIN_LENGTH must be a whole number of characters")?;
            settings.password_rules = PasswordRules::with_min_chars(min)
                .map_err(|err| anyhow::anyhow!("USHER_PASSWORD_MIN_LENGTH: {err}"))?;
        }
        if let Some(server) = var("USHER_DNS_SERVER") {
            settings.dns_server =
                Some(server.trim().parse().context(
                    "USHER_DNS_SERVER must be an ip:port, like 127.0.0.1:53 or [::1]:53",
                )?);
        }
        settings.extra_ca_file = var("USHER_EXTRA_CA_FILE").map(PathBuf::from);
        Ok(settings)
    }

    /// The database URL in force: the configured one or the SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("usher.db").display()
            )
        })
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}
