//! Authorization requests kept while the person signs in or picks an organization.
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::oauth::{
    AuthorizationRequest, CodeChallenge, Prompt, REQUEST_LIFETIME_SECS, Scope,
};

#[derive(FromRow)]
struct RequestRow {
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    organization_id: Option<String>,
    login_after: Option<i64>,
}

impl From<RequestRow> for AuthorizationRequest {
    fn from(row: RequestRow) -> Self {
        Self {
            client_id: row.client_id,
            redirect_uri: row.redirect_uri,
            scope: Scope::from_stored(&row.scope),
            state: row.state,
            nonce: row.nonce,
            code_challenge: row.code_challenge.map(CodeChallenge::from_stored),
            // `prompt=none` is answered at once, never kept.
            prompt: Prompt::Default,
            organization: row.organization_id,
            login_after: row.login_after,
        }
    }
}

/// Keeps `request` (its organization already resolved to an id) under `id`.
pub async fn insert<'c, E>(
    db: E,
    id: &str,
    request: &AuthorizationRequest,
    organization_id: Option<&str>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    sqlx::query(
        "INSERT INTO authorization_requests (id, client_id, redirect_uri, scope, state, nonce,
             code_challenge, organization_id, login_after, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.to_owned())
    .bind(request.client_id.clone())
    .bind(request.redirect_uri.clone())
    .bind(request.scope.to_string_list())
    .bind(request.state.clone())
    .bind(request.nonce.clone())
    .bind(
        request
            .code_challenge
            .as_ref()
            .map(|c| c.as_str().to_owned()),
    )
    .bind(organization_id.map(str::to_owned))
    .bind(request.login_after)
    .bind(now)
    .bind(now + REQUEST_LIFETIME_SECS)
    .execute(db)
    .await
    .map(drop)
}

/// The request kept under `id`, unless it has lapsed.
pub async fn find<'c, E>(db: E, id: &str) -> Result<Option<AuthorizationRequest>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, RequestRow>(
        "SELECT client_id, redirect_uri, scope, state, nonce, code_challenge, organization_id,
                login_after
         FROM authorization_requests WHERE id = $1 AND expires_at > $2",
    )
    .bind(id.to_owned())
    .bind(now())
    .fetch_optional(db)
    .await?;
    Ok(row.map(AuthorizationRequest::from))
}

/// Forgets a request once answered; false when another tab answered it first.
pub async fn delete<'c, E>(db: E, id: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query("DELETE FROM authorization_requests WHERE id = $1")
        .bind(id.to_owned())
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Drops lapsed requests and codes (the sweep job).
pub async fn delete_expired<'c, E>(db: E) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = sqlx::query("DELETE FROM authorization_requests WHERE expires_at <= $1")
        .bind(now())
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Names the organization a kept request signs in to, when the request named none: the one
/// whose identity provider the person just used.
pub async fn set_org_if_unset<'c, E>(db: E, id: &str, org: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE authorization_requests SET organization_id = $1
         WHERE id = $2 AND organization_id IS NULL",
    )
    .bind(org.to_owned())
    .bind(id.to_owned())
    .execute(db)
    .await
    .map(drop)
}
