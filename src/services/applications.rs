//! The product's applications, registered by the platform operator (in the portal or with
//! `usher apps create`): each gets a client id and, when confidential, a secret shown once.
use serde_json::json;

use crate::domain::application::{Application, ClientId, ClientKind, ClientSecret, NewApplication};
use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::services::{Error, Result};
use crate::store::{Store, applications, audit};

/// How long a replaced secret keeps working, so that the app can be redeployed with the new one.
pub const SECRET_GRACE_SECS: i64 = 24 * 3600;

/// Registers an application: it, and its secret when it is confidential (never shown again).
pub async fn register(
    store: &Store,
    actor: &Actor,
    app: &NewApplication,
) -> Result<(Application, Option<ClientSecret>)> {
    let client_id = ClientId::generate();
    let secret = (app.kind == ClientKind::Confidential).then(ClientSecret::generate);
    let mut tx = store.begin().await?;
    if app.deployment_default {
        applications::clear_deployment_default(&mut *tx).await?;
    }
    let id = applications::insert(&mut *tx, &client_id, app).await?;
    if let Some(secret) = &secret {
        applications::insert_secret(&mut *tx, &id, &secret.hash()).await?;
    }
    audit::insert(
        &mut *tx,
        NewAuditEvent {
            actor,
            action: AuditAction::ApplicationCreated,
            organization: None,
            target: Some(AuditTarget::application(&id)),
            details: json!({
                "client_id": client_id.as_str(),
                "kind": app.kind.as_str(),
                "organizations": app.organizations.as_str(),
                "signing_algorithm": app.signing_algorithm.as_str(),
                "deployment_default": app.deployment_default,
            }),
            summary: format!("{} ({})", app.name, client_id),
        },
    )
    .await?;
    tx.commit().await?;
    let registered = applications::find_by_client_id(store.pool(), client_id.as_str())
        .await?
        .ok_or_else(|| {
            Error::Unexpected(anyhow::anyhow!(
                "the application just registered is missing"
            ))
        })?;
    Ok((registered, secret))
}

pub async fn list(store: &Store) -> Result<Vec<Application>> {
    Ok(applications::list(store.pool()).await?)
}

pub async fn find(store: &Store, client_id: &str) -> Result<Application> {
    applications::find_by_client_id(store.pool(), client_id)
        .await?
        .ok_or(Error::NotFound)
}

/// Gives a confidential application a new secret; the one it replaces keeps working for
/// `SECRET_GRACE_SECS`. A public application has no secret to replace.
pub async fn rotate_secret(store: &Store, actor: &Actor, client_id: &str) -> Result<ClientSecret> {
    let app = find(store, client_id).await?;
    if app.kind != ClientKind::Confidential {
        return Err(Error::Forbidden);
    }
    let secret = ClientSecret::generate();
    let mut tx = store.begin().await?;
    applications::delete_expired_secrets(&mut *tx, &app.id).await?;
    applications::retire_current_secrets(&mut *tx, &app.id, SECRET_GRACE_SECS).await?;
    applications::insert_secret(&mut *tx, &app.id, &secret.hash()).await?;
    audit::insert(
        &mut *tx,
        NewAuditEvent {
            actor,
            action: AuditAction::ApplicationSecretRotated,
            organization: None,
            target: Some(AuditTarget::application(&app.id)),
            details: json!({ "client_id": app.client_id.as_str(), "grace_secs": SECRET_GRACE_SECS }),
            summary: format!("{} ({})", app.name, app.client_id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// True when `secret` is one of the application's working secrets.
pub async fn secret_is_valid(store: &Store, app: &Application, secret: &str) -> Result<bool> {
    let hashes = applications::valid_secret_hashes(store.pool(), &app.id).await?;
    Ok(hashes
        .iter()
        .any(|hash| ClientSecret::matches(secret, hash)))
}

/// True when `origin` (`scheme://host:port`, as a browser sends it) is the origin of one of the
/// registered applications' redirect URIs: the pages allowed to call the OpenID Provider's
/// endpoints from script.
pub async fn origin_is_registered(store: &Store, origin: &str) -> Result<bool> {
    Ok(list(store)
        .await?
        .iter()
        .flat_map(|app| &app.redirect_uris)
        .any(|uri| uri.origin() == origin))
}
