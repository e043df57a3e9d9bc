//! Legacy identity stores: a customer's existing user database (SQL) or sign-in endpoint
//! (HTTP), as a `legacy` connection. Usher asks one about an email and password it does not
//! know itself; in proxy mode every sign-in of that user asks it again, in migrate mode the
//! first one brings the user over. "Import the rest" reads a SQL store's users in bulk.
pub mod breaker;
pub mod cockpit;
pub mod http;
pub mod settings;
pub mod sign_in;
pub mod sql;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::credentials::Passwords;
use crate::domain::legacy::{Backend, LegacyConnection};
use crate::domain::{ConnectionId, DisplayName, Email};
use crate::sealing::Sealer;
use breaker::Breakers;
use sql::SqlStore;

/// Why a legacy store gave no answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LegacyError {
    /// Down, unreachable, too slow, or left alone by its circuit breaker.
    #[error("{0}")]
    Unavailable(String),
    /// Reachable, but its settings do not work (a refused query, a missing column).
    #[error("{0}")]
    Misconfigured(String),
    /// Too busy to answer now (every connection in use, or asked to slow down): no fault of
    /// the store's, so it does not count toward its circuit breaker.
    #[error("{0}")]
    Busy(String),
}

/// What a legacy store says about an email and password.
pub enum Answer {
    /// The password is the user's.
    Matched(LegacyUserRecord),
    /// The store has the email, and the password is not theirs.
    WrongPassword,
    /// The store has no such email.
    Unknown,
}

/// A user as a legacy store describes them, their email checked.
#[derive(Debug, Clone)]
pub struct LegacyUserRecord {
    pub id: String,
    pub email: Email,
    pub name: DisplayName,
    pub email_verified: bool,
}

/// A legacy database's pool, and the version of the settings it was opened with.
type OpenDatabase = (i64, Arc<SqlStore>);

/// The legacy stores this instance has reached: a pool per database (opened at first use and
/// reopened when the settings change), the endpoint client, and the circuit breakers.
#[derive(Clone)]
pub struct LegacyStores {
    http: reqwest::Client,
    pools: Arc<Mutex<HashMap<ConnectionId, OpenDatabase>>>,
    breakers: Arc<Breakers>,
}

impl LegacyStores {
    pub fn new(http: reqwest::Client) -> Self {
        Self {
            http,
            pools: Arc::default(),
            breakers: Arc::default(),
        }
    }

    /// The database of a SQL legacy store.
    pub fn database(
        &self,
        sealer: &Sealer,
        legacy: &LegacyConnection,
    ) -> Result<Arc<SqlStore>, LegacyError> {
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((version, store)) = pools.get(&legacy.connection_id)
            && *version == legacy.version
        {
            return Ok(store.clone());
        }
        let url = address(sealer, legacy)?;
        let store = Arc::new(SqlStore::open(&url)?);
        pools.insert(
            legacy.connection_id.clone(),
            (legacy.version, store.clone()),
        );
        Ok(store)
    }

    /// Asks the store whether `password` is `email`'s, through its circuit breaker. A SQL
    /// store's hash is checked here, in any format Usher reads.
    pub async fn ask(
        &self,
        sealer: &Sealer,
        passwords: &Passwords,
        legacy: &LegacyConnection,
        email: &Email,
        password: &str,
    ) -> Result<Answer, LegacyError> {
        let id = &(legacy.connection_id.clone(), legacy.version);
        if !self.breakers.allow(id) {
            return Err(LegacyError::Unavailable(
                "the legacy store failed repeatedly and is left alone for a while".into(),
            ));
        }
        let answer = self
            .ask_store(sealer, passwords, legacy, email, password)
            .await;
        match &answer {
            Err(LegacyError::Unavailable(why)) => {
                tracing::warn!(connection = %legacy.name, "legacy store unavailable: {why}");
                self.breakers.failed(id);
            }
            Err(LegacyError::Misconfigured(why)) => {
                tracing::error!(connection = %legacy.name, "legacy store misconfigured: {why}");
            }
            Err(LegacyError::Busy(why)) => {
                tracing::warn!(connection = %legacy.name, "legacy store busy: {why}");
            }
            Ok(_) => self.breakers.succeeded(id),
        }
        answer
    }

    async fn ask_store(
        &self,
        sealer: &Sealer,
        passwords: &Passwords,
        legacy: &LegacyConnection,
        email: &Email,
        password: &str,
    ) -> Result<Answer, LegacyError> {
        let raw = match legacy.backend {
            Backend::Sql => {
                let query = legacy.lookup_query.as_deref().ok_or_else(|| {
                    LegacyError::Misconfigured("the store has no lookup query".into())
                })?;
                let Some(raw) = self
                    .database(sealer, legacy)?
                    .lookup(query, email.as_str())
                    .await?
                else {
                    return Ok(Answer::Unknown);
                };
                let matches = passwords
                    .check(password, raw.password_hash.as_deref())
                    .await
                    .map_err(|err| LegacyError::Misconfigured(err.to_string()))?
                    .matches();
                if !matches {
                    return Ok(Answer::WrongPassword);
                }
                raw
            }
            Backend::Http => {
                let url = address(sealer, legacy)?;
                let token = token(sealer, legacy)?;
                match http::check(&self.http, &url, token.as_deref(), email.as_str(), password)
                    .await?
                {
                    http::Answer::Matched(raw) => raw,
                    http::Answer::Rejected => return Ok(Answer::Unknown),
                }
            }
        };
        // A store that answers with another user (a lookup by user name, a collation that
        // folds accents) does not get to decide whose account this email's is.
        if Email::parse(&raw.email).ok().as_ref() != Some(email) {
            tracing::warn!(connection = %legacy.name, "legacy store answered with another email");
            return Ok(Answer::Unknown);
        }
        Ok(Answer::Matched(LegacyUserRecord {
            name: DisplayName::or_from_email(raw.name.as_deref(), email),
            id: raw.id,
            email: email.clone(),
            email_verified: raw.email_verified,
        }))
    }
}

/// What a sealed address or token is sealed for: its connection and its field.
pub fn seal_context(id: &ConnectionId, field: &str) -> String {
    format!("legacy connection {id} {field}")
}

fn address(sealer: &Sealer, legacy: &LegacyConnection) -> Result<String, LegacyError> {
    open(
        sealer,
        &legacy.connection_id,
        "address",
        &legacy.sealed_address,
    )
}

fn token(sealer: &Sealer, legacy: &LegacyConnection) -> Result<Option<String>, LegacyError> {
    legacy
        .sealed_token
        .as_deref()
        .map(|sealed| open(sealer, &legacy.connection_id, "token", sealed))
        .transpose()
}

fn open(
    sealer: &Sealer,
    id: &ConnectionId,
    field: &str,
    sealed: &str,
) -> Result<String, LegacyError> {
    let plain = sealer
        .open(sealed, &seal_context(id, field))
        .map_err(|_| LegacyError::Misconfigured(format!("the stored {field} cannot be opened")))?;
    String::from_utf8(plain)
        .map_err(|_| LegacyError::Misconfigured(format!("the stored {field} is not text")))
}
