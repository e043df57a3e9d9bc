//! What every handler and service shares: built once in `startup`, cloned per worker thread.
use crate::config::RecipientMailLimit;
use crate::credentials::Passwords;
use crate::dns::DnsResolver;
use crate::domain::PasswordRules;
use crate::email::MailQueue;
use crate::error::AppError;
use crate::sealing::Sealer;
use crate::services::signing_keys::KeyRing;
use crate::store::Store;
pub use crate::web::urls::Links;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub passwords: Passwords,
    pub mail: MailQueue,
    pub links: Links,
    /// Auth POSTs allowed per client IP per minute.
    pub auth_rate_limit: u32,
    /// Unsolicited mails allowed per recipient.
    pub recipient_mail_limit: RecipientMailLimit,
    pub password_rules: PasswordRules,
    /// True when mail goes to the dev outbox and this deployment can serve it safely: it
    /// listens on loopback only and calls itself by a loopback address.
    pub dev_outbox: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the real client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Looks up the TXT records that prove an organization's domains.
    pub dns: DnsResolver,
    /// Seals and opens the secrets kept in the database (the token signing keys).
    pub sealer: Sealer,
    /// The token signing keys this instance has read.
    pub keys: KeyRing,
    /// Calls to other servers (organizations' identity providers).
    pub http: reqwest::Client,
    /// The legacy identity stores this instance has reached.
    pub legacy: crate::services::legacy::LegacyStores,
    /// Where files uploaded for import are kept while they are imported.
    pub imports_dir: std::path::PathBuf,
}

impl AppState {
    /// The state registered with the app, for extractors and middleware.
    pub fn of(req: &actix_web::HttpRequest) -> Result<&actix_web::web::Data<AppState>, AppError> {
        req.app_data::<actix_web::web::Data<AppState>>()
            .ok_or_else(|| AppError::unexpected("application state missing"))
    }
}
