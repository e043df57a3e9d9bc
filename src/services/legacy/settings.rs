//! The operator setting up legacy stores: adding one (its queries or endpoint checked against
//! the real store first), changing it, and enabling it for organizations. The address and
//! token are sealed at once and never shown again; every change is audited without them.
use serde_json::json;

use super::sql::{CheckReport, SqlStore};
use super::{LegacyError, http, seal_context};
use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::legacy::{Backend, Dialect, IdType, LegacyConnection, Mode};
use crate::domain::{ConnectionId, Email};
use crate::services::{Error, Result, SetupError};
use crate::state::AppState;
use crate::store::{Tx, audit, legacy_connections, now, organizations};

/// The email the lookup query is tried with when the operator names none.
pub const DEFAULT_TEST_EMAIL: &str = "check@example.invalid";

/// What the operator typed (the form's fields, each empty when left out).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct LegacyFields {
    pub name: String,
    pub backend: String,
    pub mode: String,
    /// The database or endpoint URL; blank when changing a store keeps the stored one.
    pub address: String,
    /// The endpoint's bearer token; blank keeps the stored one.
    pub token: String,
    pub lookup_query: String,
    pub all_users_query: String,
    pub test_email: String,
    /// An organization to enable the store for, by its address (slug).
    pub organization: String,
}

impl LegacyFields {
    /// The form for changing `store`: its settings, without the address and token, which
    /// are never sent back to a browser.
    pub fn of(store: &LegacyConnection) -> Self {
        Self {
            name: store.name.clone(),
            backend: store.backend.as_str().to_owned(),
            mode: store.mode.as_str().to_owned(),
            lookup_query: store.lookup_query.clone().unwrap_or_default(),
            all_users_query: store.all_users_query.clone().unwrap_or_default(),
            ..Self::default()
        }
    }

    /// What a form shows again after an error: everything but the secrets.
    pub fn without_secrets(mut self) -> Self {
        self.address.clear();
        self.token.clear();
        self
    }
}

/// What the check against the real store found, for the page after saving.
#[derive(Debug, Clone, Default)]
pub struct CheckSummary {
    pub lines: Vec<String>,
}

pub async fn list(state: &AppState) -> Result<Vec<LegacyConnection>> {
    Ok(legacy_connections::list(state.store.pool()).await?)
}

pub async fn find(state: &AppState, id: &ConnectionId) -> Result<LegacyConnection> {
    legacy_connections::find(state.store.pool(), id)
        .await?
        .ok_or(Error::NotFound)
}

/// Adds a legacy store once its settings work against the store itself.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    fields: LegacyFields,
) -> std::result::Result<(LegacyConnection, CheckSummary), SetupError> {
    let name = checked_name(&fields.name)?;
    if fields.address.trim().is_empty() {
        return Err(refused("Enter the address of the legacy store."));
    }
    let org = organization(state, &fields.organization).await?;
    let id = ConnectionId::new();
    let (mut legacy, summary) = checked(state, &id, &fields, None).await?;
    legacy.name = name;
    let mut tx = state.store.begin().await?;
    if !legacy_connections::insert(&mut tx, &legacy).await? {
        return Err(refused("A connection with this name exists already."));
    }
    record(
        &mut tx,
        actor,
        AuditAction::LegacyConnectionCreated,
        &legacy,
        None,
        details(&legacy, true, fields.token.trim().is_empty()),
    )
    .await?;
    if let Some(org) = &org {
        enable_in(&mut tx, actor, &legacy, org).await?;
    }
    tx.commit().await?;
    Ok((legacy, summary))
}

/// Changes a legacy store; a blank address or token keeps the stored one.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &ConnectionId,
    fields: LegacyFields,
) -> std::result::Result<(LegacyConnection, CheckSummary), SetupError> {
    let existing = find(state, id).await?;
    let (mut legacy, summary) = checked(state, id, &fields, Some(&existing)).await?;
    legacy.name = existing.name.clone();
    legacy.created_at = existing.created_at;
    let mut tx = state.store.begin().await?;
    if !legacy_connections::update(&mut *tx, &legacy).await? {
        return Err(SetupError::Failed(Error::NotFound));
    }
    let details = details(
        &legacy,
        !fields.address.trim().is_empty(),
        fields.token.trim().is_empty(),
    );
    record(
        &mut tx,
        actor,
        AuditAction::LegacyConnectionChanged,
        &legacy,
        None,
        details,
    )
    .await?;
    tx.commit().await?;
    // Read back: the stored row carries the new version its pool and breaker follow.
    Ok((find(state, id).await?, summary))
}

/// Enables the store for the organization at `slug`.
pub async fn enable_for(
    state: &AppState,
    actor: &Actor,
    id: &ConnectionId,
    slug: &str,
) -> std::result::Result<(), SetupError> {
    let (legacy, org) = store_and_org(state, id, slug).await?;
    let mut tx = state.store.begin().await?;
    enable_in(&mut tx, actor, &legacy, &org).await?;
    tx.commit().await?;
    Ok(())
}

/// Stops the organization at `slug` from using the store: its people who came over stay.
pub async fn disable_for(
    state: &AppState,
    actor: &Actor,
    id: &ConnectionId,
    slug: &str,
) -> std::result::Result<(), SetupError> {
    let (legacy, org) = store_and_org(state, id, slug).await?;
    let mut tx = state.store.begin().await?;
    let store = legacy.connection_id.as_str();
    if organizations::disable_connection(&mut *tx, &org.id, store).await? {
        record(
            &mut tx,
            actor,
            AuditAction::LegacyConnectionDisabled,
            &legacy,
            Some(&org.id),
            json!({"connection": legacy.name, "organization": org.slug.as_str()}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn enable_in(
    tx: &mut Tx,
    actor: &Actor,
    legacy: &LegacyConnection,
    org: &crate::domain::Organization,
) -> Result<()> {
    organizations::enable_connection(&mut **tx, &org.id, legacy.connection_id.as_str()).await?;
    record(
        tx,
        actor,
        AuditAction::LegacyConnectionEnabled,
        legacy,
        Some(&org.id),
        json!({"connection": legacy.name, "organization": org.slug.as_str()}),
    )
    .await
}

/// The store `id` and the organization at `slug`, which must be named.
async fn store_and_org(
    state: &AppState,
    id: &ConnectionId,
    slug: &str,
) -> std::result::Result<(LegacyConnection, crate::domain::Organization), SetupError> {
    let legacy = find(state, id).await?;
    match organization(state, slug).await? {
        Some(org) => Ok((legacy, org)),
        None => Err(refused("Enter the address of an organization.")),
    }
}

async fn organization(
    state: &AppState,
    slug: &str,
) -> std::result::Result<Option<crate::domain::Organization>, SetupError> {
    let slug = slug.trim();
    if slug.is_empty() {
        return Ok(None);
    }
    match organizations::find_by_slug(state.store.pool(), slug).await? {
        Some(org) => Ok(Some(org)),
        None => Err(refused(&format!("No organization has the address {slug}."))),
    }
}

fn refused(message: &str) -> SetupError {
    SetupError::Refused(message.to_owned())
}

fn checked_name(name: &str) -> std::result::Result<String, SetupError> {
    let name = name.trim();
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if name.is_empty() || name.len() > 64 || !name.chars().all(allowed) {
        return Err(refused(
            "Name the store with up to 64 lower-case letters, digits, - or _.",
        ));
    }
    Ok(name.to_owned())
}

/// The settings as they will be stored, checked against the store: the address and token
/// sealed, the queries run once.
async fn checked(
    state: &AppState,
    id: &ConnectionId,
    fields: &LegacyFields,
    existing: Option<&LegacyConnection>,
) -> std::result::Result<(LegacyConnection, CheckSummary), SetupError> {
    let backend = Backend::parse(fields.backend.trim())
        .ok_or_else(|| refused("Choose a database or an HTTP endpoint."))?;
    let mode =
        Mode::parse(fields.mode.trim()).ok_or_else(|| refused("Choose proxy or migrate."))?;
    let typed_address = fields.address.trim();
    let address = match (typed_address, existing) {
        ("", Some(existing)) if existing.backend == backend => {
            super::address(&state.sealer, existing).map_err(|err| refused(&err.to_string()))?
        }
        ("", _) => return Err(refused("Enter the address of the legacy store.")),
        (typed, _) => typed.to_owned(),
    };
    let typed_token = fields.token.trim();
    let token = match (typed_token, existing) {
        ("", Some(existing)) if backend == Backend::Http => {
            super::token(&state.sealer, existing).map_err(|err| refused(&err.to_string()))?
        }
        ("", _) => None,
        (typed, _) => Some(typed.to_owned()),
    };
    let (dialect, lookup, all_users, id_type, summary) = match backend {
        Backend::Sql => check_database(fields, &address).await?,
        Backend::Http => {
            let dialect = check_endpoint(state, &address, token.as_deref()).await?;
            let summary = CheckSummary {
                lines: vec![
                    "The endpoint answered a test sign-in with a made-up password as a wrong \
                     password (401 or 404; a 404 for every request can also mean a wrong \
                     address)."
                        .into(),
                ],
            };
            (dialect, None, None, IdType::Text, summary)
        }
    };
    let sealed_token = match (backend, &token) {
        (Backend::Http, Some(token)) => Some(seal(state, id, "token", token)?),
        _ => None,
    };
    let legacy = LegacyConnection {
        connection_id: id.clone(),
        name: String::new(),
        backend,
        mode,
        dialect,
        sealed_address: seal(state, id, "address", &address)?,
        sealed_token,
        lookup_query: lookup,
        all_users_query: all_users,
        id_type,
        version: existing.map_or(1, |existing| existing.version),
        last_error: existing.and_then(|existing| existing.last_error.clone()),
        last_error_at: existing.and_then(|existing| existing.last_error_at),
        created_at: now(),
        updated_at: now(),
    };
    Ok((legacy, summary))
}

type DatabaseCheck = (String, Option<String>, Option<String>, IdType, CheckSummary);

async fn check_database(
    fields: &LegacyFields,
    url: &str,
) -> std::result::Result<DatabaseCheck, SetupError> {
    let dialect = Dialect::of_url(url).ok_or_else(|| {
        refused("The database address must start with postgres://, mysql:// or sqlite:.")
    })?;
    let lookup = one_statement(&fields.lookup_query);
    if lookup.is_empty() {
        return Err(refused("Enter the query that finds a user by email."));
    }
    let all_users = Some(one_statement(&fields.all_users_query)).filter(|query| !query.is_empty());
    let test_email = match fields.test_email.trim() {
        "" => DEFAULT_TEST_EMAIL.to_owned(),
        typed => Email::parse(typed)
            .map_err(|_| refused("The test email is not an email address."))?
            .to_string(),
    };
    let database = SqlStore::open(url).map_err(|err| refused(&err.to_string()))?;
    let report = database
        .check(dialect, lookup, all_users, &test_email)
        .await
        .map_err(|err| match err {
            LegacyError::Unavailable(why) | LegacyError::Busy(why) => {
                refused(&format!("Cannot reach the database: {why}."))
            }
            LegacyError::Misconfigured(why) => refused(&why),
        })?;
    let summary = summarize(&report, &test_email);
    Ok((
        dialect.as_str().to_owned(),
        Some(lookup.to_owned()),
        all_users.map(str::to_owned),
        report.id_type.unwrap_or(IdType::Text),
        summary,
    ))
}

/// A query as typed, without the semicolon that ends it (it is run inside others).
fn one_statement(query: &str) -> &str {
    query.trim().trim_end_matches(';').trim_end()
}

fn summarize(report: &CheckReport, test_email: &str) -> CheckSummary {
    let mut lines = vec![format!(
        "The lookup query returns the columns {}.",
        report.lookup_columns.join(", ")
    )];
    lines.push(if report.test_email_found {
        format!("It found {test_email}.")
    } else {
        format!("It found no user with the email {test_email}.")
    });
    if !report.all_users_columns.is_empty() {
        lines.push(format!(
            "The all-users query returns the columns {}; ids compare as {}.",
            report.all_users_columns.join(", "),
            report.id_type.map_or("text", IdType::as_str)
        ));
    }
    CheckSummary { lines }
}

/// Tries the endpoint with a password nobody has: any answer but a failure shows it is there.
async fn check_endpoint(
    state: &AppState,
    url: &str,
    token: Option<&str>,
) -> std::result::Result<String, SetupError> {
    let parsed = url::Url::parse(url).map_err(|_| refused("The endpoint address is not a URL."))?;
    let scheme = parsed.scheme().to_owned();
    if scheme != "http" && scheme != "https" {
        return Err(refused(
            "The endpoint address must start with http:// or https://.",
        ));
    }
    let probe: [u8; 16] = rand::random();
    let password: String = probe.iter().map(|byte| format!("{byte:02x}")).collect();
    match http::check(
        &state.legacy.http,
        url,
        token,
        DEFAULT_TEST_EMAIL,
        &password,
    )
    .await
    {
        Ok(http::Answer::Rejected) => Ok(scheme),
        Ok(http::Answer::Matched(_)) => Err(refused(
            "The endpoint accepted a made-up password: it must answer 401 or 404 to a wrong one.",
        )),
        Err(err) => Err(refused(&format!(
            "The endpoint did not answer a test sign-in: {err}."
        ))),
    }
}

fn seal(
    state: &AppState,
    id: &ConnectionId,
    field: &str,
    value: &str,
) -> std::result::Result<String, SetupError> {
    Ok(state
        .sealer
        .seal(value.as_bytes(), &seal_context(id, field))?)
}

/// What the audit log keeps of the settings: never the address nor the token.
fn details(legacy: &LegacyConnection, address_set: bool, token_kept: bool) -> serde_json::Value {
    json!({
        "connection": legacy.name,
        "backend": legacy.backend.as_str(),
        "mode": legacy.mode.as_str(),
        "store": legacy.address_label(),
        "address_replaced": address_set,
        "token_replaced": !token_kept,
        "lookup_query": legacy.lookup_query,
        "all_users_query": legacy.all_users_query,
    })
}

async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: AuditAction,
    legacy: &LegacyConnection,
    organization: Option<&crate::domain::OrganizationId>,
    details: serde_json::Value,
) -> Result<()> {
    audit::insert(
        &mut **tx,
        NewAuditEvent {
            actor,
            action,
            organization,
            target: Some(AuditTarget::connection(&legacy.connection_id)),
            details,
            summary: format!("{} ({})", legacy.name, legacy.address_label()),
        },
    )
    .await?;
    Ok(())
}
