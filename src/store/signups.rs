//! Sign-ups waiting for email verification, each with its own link (stored as a hash).
use anyhow::Context;
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::{
    ConnectionId, DisplayName, Email, EmailToken, OrgName, OrganizationId, PendingSignup,
    SignupIntent, Slug,
};

/// How long a verification link stays valid.
pub const LIFETIME_SECS: i64 = 24 * 3600;

/// The columns a `SignupRow` is read from, as a literal for `concat!`.
macro_rules! signup_columns {
    () => {
        "id, connection_id, email, name, password_hash, browser_hash, intent, organization_id, \
         org_name, org_slug, client_ip"
    };
}

#[derive(FromRow)]
struct SignupRow {
    id: String,
    connection_id: String,
    email: String,
    name: String,
    password_hash: String,
    browser_hash: String,
    intent: String,
    organization_id: Option<String>,
    org_name: Option<String>,
    org_slug: Option<String>,
    client_ip: String,
}

impl TryFrom<SignupRow> for PendingSignup {
    type Error = anyhow::Error;

    fn try_from(row: SignupRow) -> anyhow::Result<Self> {
        let intent = match row.intent.as_str() {
            "account" => SignupIntent::Account,
            "join" => SignupIntent::Join(OrganizationId::from_stored(
                row.organization_id
                    .context("a join sign-up without organization")?,
            )),
            "found" => SignupIntent::Found {
                name: OrgName::from_stored(row.org_name.context("a founding without a name")?),
                slug: Slug::from_stored(row.org_slug.context("a founding without a slug")?),
            },
            other => anyhow::bail!("unknown sign-up intent {other:?}"),
        };
        Ok(Self {
            id: row.id,
            connection_id: ConnectionId::from_stored(row.connection_id),
            email: Email::from_stored(row.email),
            name: DisplayName::from_stored(row.name),
            password_hash: row.password_hash,
            browser_hash: row.browser_hash,
            intent,
            client_ip: row.client_ip,
        })
    }
}

fn convert(row: Option<SignupRow>) -> anyhow::Result<Option<PendingSignup>> {
    row.map(PendingSignup::try_from).transpose()
}

/// What storing a sign-up needs.
pub struct SignupInsertForm<'a> {
    pub connection_id: &'a ConnectionId,
    pub email: &'a Email,
    pub name: &'a DisplayName,
    pub password_hash: &'a str,
    pub token: &'a EmailToken,
    pub browser_hash: &'a str,
    pub intent: &'a SignupIntent,
    pub client_ip: &'a str,
}

pub async fn insert<'c, E>(db: E, form: SignupInsertForm<'_>) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let (kind, org, org_name, org_slug) = match form.intent {
        SignupIntent::Account => ("account", None, None, None),
        SignupIntent::Join(org) => ("join", Some(org.as_str().to_owned()), None, None),
        SignupIntent::Found { name, slug } => (
            "found",
            None,
            Some(name.as_str().to_owned()),
            Some(slug.as_str().to_owned()),
        ),
    };
    let now = now();
    sqlx::query(
        "INSERT INTO signups (id, connection_id, email, name, password_hash, token_hash,
                              browser_hash, intent, organization_id, org_name, org_slug,
                              client_ip, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(form.connection_id.as_str().to_owned())
    .bind(form.email.as_str().to_owned())
    .bind(form.name.as_str().to_owned())
    .bind(form.password_hash.to_owned())
    .bind(form.token.hash())
    .bind(form.browser_hash.to_owned())
    .bind(kind)
    .bind(org)
    .bind(org_name)
    .bind(org_slug)
    .bind(form.client_ip.to_owned())
    .bind(now + LIFETIME_SECS)
    .bind(now)
    .execute(db)
    .await
    .map(drop)
}

/// The sign-up behind a link while it is unused and unexpired.
pub async fn find_pending<'c, E>(db: E, token: &EmailToken) -> anyhow::Result<Option<PendingSignup>>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, SignupRow>(concat!(
        "SELECT ",
        signup_columns!(),
        " FROM signups WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
    ))
    .bind(token.hash())
    .bind(now())
    .fetch_optional(db)
    .await?;
    convert(row)
}

/// The newest usable sign-up for an address that `browser_hash`'s browser made.
pub async fn find_latest_made_in<'c, E>(
    db: E,
    connection: &ConnectionId,
    email: &Email,
    browser_hash: &str,
) -> anyhow::Result<Option<PendingSignup>>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, SignupRow>(concat!(
        "SELECT ",
        signup_columns!(),
        " FROM signups
         WHERE connection_id = $1 AND email = $2 AND browser_hash = $3
           AND used_at IS NULL AND expires_at > $4
         ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(connection.as_str().to_owned())
    .bind(email.as_str().to_owned())
    .bind(browser_hash.to_owned())
    .bind(now())
    .fetch_optional(db)
    .await?;
    convert(row)
}

/// Gives a sign-up a new link (the old one stops working) and a fresh lifetime.
pub async fn replace_token<'c, E>(db: E, id: &str, token: &EmailToken) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE signups SET token_hash = $1, expires_at = $2 WHERE id = $3")
        .bind(token.hash())
        .bind(now() + LIFETIME_SECS)
        .bind(id.to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Uses a sign-up up in one atomic update: of two concurrent callers only one gets true.
pub async fn consume<'c, E>(db: E, id: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE signups SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now())
    .bind(id.to_owned())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Voids every unused sign-up for an address: once the address is verified (or its account's
/// password replaced), no password typed by someone else may arrive through an old link.
pub async fn void_for_address<'c, E>(
    db: E,
    connection: &ConnectionId,
    email: &Email,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE signups SET used_at = $1
         WHERE connection_id = $2 AND email = $3 AND used_at IS NULL",
    )
    .bind(now())
    .bind(connection.as_str().to_owned())
    .bind(email.as_str().to_owned())
    .execute(db)
    .await
    .map(drop)
}

pub async fn delete_stale<'c, E>(db: E, before: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM signups WHERE expires_at < $1")
        .bind(before)
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}
