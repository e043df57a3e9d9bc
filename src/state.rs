//! What every handler and service shares: built once in `startup`, cloned per worker thread.
use url::Url;

use crate::config::RecipientMailLimit;
use crate::credentials::Passwords;
use crate::domain::{EmailToken, PasswordRules};
use crate::email::MailQueue;
use crate::error::AppError;
use crate::store::Store;

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
}

impl AppState {
    /// The state registered with the app, for extractors and middleware.
    pub fn of(req: &actix_web::HttpRequest) -> Result<&actix_web::web::Data<AppState>, AppError> {
        req.app_data::<actix_web::web::Data<AppState>>()
            .ok_or_else(|| AppError::unexpected("application state missing"))
    }
}

/// Absolute links for emails and the console, built from the public URL.
#[derive(Debug, Clone)]
pub struct Links {
    base: Url,
}

impl Links {
    pub fn new(base: Url) -> Self {
        Self { base }
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `host[:port]` of the public URL, as a browser sends it in `Host`.
    pub fn authority(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    fn with_token(&self, path: &str, token: &EmailToken) -> String {
        let mut url = self.base.clone();
        url.set_path(path);
        url.query_pairs_mut()
            .clear()
            .append_pair("token", token.as_str());
        url.to_string()
    }

    fn page(&self, path: &str) -> String {
        let mut url = self.base.clone();
        url.set_path(path);
        url.to_string()
    }

    pub fn verify_email(&self, token: &EmailToken) -> String {
        self.with_token("/verify-email", token)
    }

    pub fn unlock_account(&self, token: &EmailToken) -> String {
        self.with_token("/unlock-account", token)
    }

    pub fn reset_password(&self, token: &EmailToken) -> String {
        self.with_token("/reset-password", token)
    }

    pub fn invitation(&self, token: &EmailToken) -> String {
        let mut url = self.base.clone();
        url.set_path(&format!("/invitations/{}", token.as_str()));
        url.to_string()
    }

    pub fn operator_setup(&self, token: &EmailToken) -> String {
        self.with_token("/setup/operator", token)
    }

    /// The sign-in page of a realm: `base` is "" or "/o/{slug}".
    pub fn login(&self, base: &str) -> String {
        self.page(&format!("{base}/login"))
    }

    pub fn forgot_password(&self, base: &str) -> String {
        self.page(&format!("{base}/forgot-password"))
    }
}
