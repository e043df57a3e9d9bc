//! Registered applications and their client secrets.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::application::{
    AppName, Application, ClientId, ClientKind, NewApplication, OrgPolicy, RedirectUri,
};
use crate::domain::signing_key::SigningAlgorithm;

/// The columns an `ApplicationRow` is read from, as a literal for `concat!`.
macro_rules! application_columns {
    () => {
        "id, client_id, name, kind, organizations, redirect_uris, post_logout_redirect_uris,
         initiate_login_uri, backchannel_logout_uri, signing_algorithm, deployment_default,
         created_at"
    };
}

#[derive(FromRow)]
struct ApplicationRow {
    id: String,
    client_id: String,
    name: String,
    kind: String,
    organizations: String,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    initiate_login_uri: Option<String>,
    backchannel_logout_uri: Option<String>,
    signing_algorithm: String,
    deployment_default: i64,
    created_at: i64,
}

impl TryFrom<ApplicationRow> for Application {
    type Error = sqlx::Error;

    fn try_from(row: ApplicationRow) -> Result<Self, sqlx::Error> {
        let uri = |value: &str| {
            RedirectUri::from_stored(value).map_err(|_| unknown_value("application URI", value))
        };
        let uris = |lines: &str| lines.lines().map(uri).collect::<Result<Vec<_>, _>>();
        Ok(Self {
            kind: ClientKind::parse(&row.kind)
                .ok_or_else(|| unknown_value("application kind", &row.kind))?,
            organizations: OrgPolicy::parse(&row.organizations)
                .ok_or_else(|| unknown_value("organization policy", &row.organizations))?,
            redirect_uris: uris(&row.redirect_uris)?,
            post_logout_redirect_uris: uris(&row.post_logout_redirect_uris)?,
            initiate_login_uri: row.initiate_login_uri.as_deref().map(uri).transpose()?,
            backchannel_logout_uri: row.backchannel_logout_uri.as_deref().map(uri).transpose()?,
            signing_algorithm: SigningAlgorithm::parse(&row.signing_algorithm)
                .ok_or_else(|| unknown_value("signing algorithm", &row.signing_algorithm))?,
            deployment_default: row.deployment_default != 0,
            id: row.id,
            client_id: ClientId::from_stored(row.client_id),
            name: AppName::from_stored(row.name),
            created_at: row.created_at,
        })
    }
}

fn lines(uris: &[RedirectUri]) -> String {
    uris.iter()
        .map(RedirectUri::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Registers an application; its id.
pub async fn insert<'c, E>(
    db: E,
    client_id: &ClientId,
    app: &NewApplication,
) -> Result<String, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO applications (id, client_id, name, kind, organizations, redirect_uris,
                                   post_logout_redirect_uris, initiate_login_uri,
                                   backchannel_logout_uri, signing_algorithm,
                                   deployment_default, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.clone())
    .bind(client_id.as_str().to_owned())
    .bind(app.name.as_str().to_owned())
    .bind(app.kind.as_str())
    .bind(app.organizations.as_str())
    .bind(lines(&app.redirect_uris))
    .bind(lines(&app.post_logout_redirect_uris))
    .bind(uri_text(&app.initiate_login_uri))
    .bind(uri_text(&app.backchannel_logout_uri))
    .bind(app.signing_algorithm.as_str())
    .bind(i64::from(app.deployment_default))
    .bind(now())
    .execute(db)
    .await?;
    Ok(id)
}

fn uri_text(uri: &Option<RedirectUri>) -> Option<String> {
    uri.as_ref().map(|uri| uri.as_str().to_owned())
}

/// Makes no application the deployment's default (before another becomes it).
pub async fn clear_deployment_default<'c, E>(db: E) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE applications SET deployment_default = 0 WHERE deployment_default = 1")
        .execute(db)
        .await
        .map(drop)
}

/// Makes the application `id` the deployment's default; false when there is none.
pub async fn set_deployment_default<'c, E>(db: E, id: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let updated = sqlx::query("UPDATE applications SET deployment_default = 1 WHERE id = $1")
        .bind(id.to_owned())
        .execute(db)
        .await?;
    Ok(updated.rows_affected() == 1)
}

/// Where people of `organization_id` land after an invitation or email verification: the
/// organization's own application, else the deployment's default, else none.
pub async fn landing<'c, E>(
    db: E,
    organization_id: Option<&str>,
) -> Result<Option<Application>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, ApplicationRow>(concat!(
        "SELECT ",
        application_columns!(),
        " FROM applications
         WHERE id = (SELECT default_application_id FROM organizations WHERE id = $1)
            OR deployment_default = 1
         ORDER BY deployment_default ASC LIMIT 1"
    ))
    .bind(organization_id.map(str::to_owned))
    .fetch_optional(db)
    .await?
    .map(Application::try_from)
    .transpose()
}

pub async fn find_by_client_id<'c, E>(
    db: E,
    client_id: &str,
) -> Result<Option<Application>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, ApplicationRow>(concat!(
        "SELECT ",
        application_columns!(),
        " FROM applications WHERE client_id = $1"
    ))
    .bind(client_id.to_owned())
    .fetch_optional(db)
    .await?
    .map(Application::try_from)
    .transpose()
}

/// Every application, by name (a deployment has a handful).
pub async fn list<'c, E>(db: E) -> Result<Vec<Application>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, ApplicationRow>(concat!(
        "SELECT ",
        application_columns!(),
        " FROM applications ORDER BY name, id"
    ))
    .fetch_all(db)
    .await?
    .into_iter()
    .map(Application::try_from)
    .collect()
}

/// Adds a secret as the application's current one.
pub async fn insert_secret<'c, E>(
    db: E,
    application_id: &str,
    secret_hash: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO client_secrets (id, application_id, secret_hash, created_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(application_id.to_owned())
    .bind(secret_hash.to_owned())
    .bind(now())
    .execute(db)
    .await
    .map(drop)
}

/// Deletes the secrets whose grace period is over.
pub async fn delete_expired_secrets<'c, E>(db: E, application_id: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM client_secrets WHERE application_id = $1 AND expires_at <= $2")
        .bind(application_id.to_owned())
        .bind(now())
        .execute(db)
        .await
        .map(drop)
}

/// Starts the grace period of the current secret: it stops working `grace_secs` from now (a
/// secret already in a shorter grace period keeps it).
pub async fn retire_current_secrets<'c, E>(
    db: E,
    application_id: &str,
    grace_secs: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE client_secrets SET expires_at = $1
         WHERE application_id = $2 AND (expires_at IS NULL OR expires_at > $1)",
    )
    .bind(now() + grace_secs)
    .bind(application_id.to_owned())
    .execute(db)
    .await
    .map(drop)
}

/// The hashes of the secrets that work now: the current one and any in its grace period.
pub async fn valid_secret_hashes<'c, E>(
    db: E,
    application_id: &str,
) -> Result<Vec<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT secret_hash FROM client_secrets
         WHERE application_id = $1 AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(application_id.to_owned())
    .bind(now())
    .fetch_all(db)
    .await
}
