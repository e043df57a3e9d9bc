//! Organizations: creating, suspending and reactivating them, each with its audit event, and
//! the rules for entering one.
use serde_json::json;

use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::{
    ConnectionId, InvitationLifetime, JoinPolicy, MembershipMode, OrgName, Organization,
    OrganizationId, Role, Slug, User,
};
use crate::services::{Conflict, Error, Result};
use crate::state::AppState;
use crate::store::{Tx, audit, connections, memberships, organizations, users};

/// What creating an organization needs.
pub struct NewOrganization {
    pub name: OrgName,
    pub slug: Slug,
    pub mode: MembershipMode,
    /// Further connections it may use (ids), besides its password connection.
    pub connections: Vec<String>,
    /// Who may join without an invitation.
    pub join_policy: JoinPolicy,
}

/// Refuses entry to a suspended organization. Its public pages say only that it is
/// suspended: the operator's reason is internal.
pub fn ensure_active(org: &Organization) -> Result<()> {
    match org.is_suspended() {
        true => Err(Error::Suspended {
            name: org.name.clone(),
            reason: None,
        }),
        false => Ok(()),
    }
}

/// Like `ensure_active`, for the organization's own members, who are told why.
pub fn ensure_active_for_member(org: &Organization) -> Result<()> {
    match &org.suspended_reason {
        Some(reason) => Err(Error::Suspended {
            name: org.name.clone(),
            reason: Some(reason.clone()),
        }),
        None => Ok(()),
    }
}

/// The active organization whose sign-in pages `slug` names.
pub async fn realm(state: &AppState, slug: &Slug) -> Result<Organization> {
    let org = organizations::find_by_slug(state.store.pool(), slug.as_str())
        .await?
        .ok_or(Error::NotFound)?;
    ensure_active(&org)?;
    Ok(org)
}

/// The name of an organization, if it still exists (the header shows the current one).
pub async fn name_of(state: &AppState, org: &OrganizationId) -> Result<Option<String>> {
    let org = organizations::find_by_id(state.store.pool(), org).await?;
    Ok(org.map(|org| org.name))
}

/// True when no organization uses the slug yet.
pub async fn slug_available(tx: &mut Tx, slug: &Slug) -> Result<bool> {
    Ok(organizations::find_by_slug(&mut **tx, slug.as_str())
        .await?
        .is_none())
}

/// Creates the organization inside the caller's transaction: for an isolated one, its own
/// password connection too. Writes the audit event in the same transaction. A taken slug is
/// `Conflict::SlugTaken`, and leaves the transaction usable.
pub async fn create_in(tx: &mut Tx, actor: &Actor, new: &NewOrganization) -> Result<Organization> {
    if !slug_available(tx, &new.slug).await? {
        return Err(Error::Conflict(Conflict::SlugTaken));
    }
    let connection = match new.mode {
        // Named after the slug, which is unique: a clash means the slug was just taken.
        MembershipMode::Isolated => {
            connections::insert_password(&mut **tx, &format!("{}-users", new.slug))
                .await?
                .ok_or(Error::Conflict(Conflict::SlugTaken))?
        }
        MembershipMode::Shared => ConnectionId::default_password(),
    };
    let form = organizations::OrgInsertForm {
        slug: &new.slug,
        name: &new.name,
        mode: new.mode,
        connection_id: &connection,
        join_policy: new.join_policy,
    };
    let org = organizations::insert(&mut **tx, form)
        .await?
        .ok_or(Error::Conflict(Conflict::SlugTaken))?;
    for extra in &new.connections {
        organizations::enable_connection(&mut **tx, &org.id, extra).await?;
    }
    let event = NewAuditEvent {
        actor,
        action: AuditAction::OrganizationCreated,
        organization: Some(&org.id),
        target: Some(AuditTarget::organization(&org.id)),
        details: json!({"name": org.name, "slug": org.slug.as_str(), "mode": org.mode.as_str()}),
        summary: format!("{} ({}, {})", org.name, org.slug, org.mode),
    };
    audit::insert(&mut **tx, event).await?;
    Ok(org)
}

/// Creates an organization on its own (the operator's form).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: &NewOrganization,
) -> Result<Organization> {
    let mut tx = state.store.begin().await?;
    let org = create_in(&mut tx, actor, new).await?;
    tx.commit().await?;
    Ok(org)
}

/// A signed-in user founds an organization and becomes its owner.
pub async fn create_owned_by(
    state: &AppState,
    actor: &Actor,
    owner: &User,
    new: &NewOrganization,
) -> Result<Organization> {
    let mut tx = state.store.begin().await?;
    let org = create_in(&mut tx, actor, new).await?;
    add_member_in(&mut tx, actor, &org, owner, Role::Owner).await?;
    users::set_last_organization(&mut *tx, &owner.id, &org.id).await?;
    tx.commit().await?;
    Ok(org)
}

/// Adds a membership and its audit event inside the caller's transaction.
pub async fn add_member_in(
    tx: &mut Tx,
    actor: &Actor,
    org: &Organization,
    user: &User,
    role: Role,
) -> Result<()> {
    memberships::insert(&mut **tx, &org.id, user, role).await?;
    let event = NewAuditEvent {
        actor,
        action: AuditAction::MemberJoined,
        organization: Some(&org.id),
        target: Some(AuditTarget::user(&user.id)),
        details: json!({"email": user.email.as_str(), "role": role.as_str()}),
        summary: format!("{} as {role}", user.email),
    };
    audit::insert(&mut **tx, event).await?;
    Ok(())
}

/// Suspends an organization; its members are refused on their next request and told why.
pub async fn suspend(
    state: &AppState,
    actor: &Actor,
    org: &Organization,
    reason: &str,
) -> Result<()> {
    let mut tx = state.store.begin().await?;
    organizations::set_suspended(&mut *tx, &org.id, Some(reason)).await?;
    let event = NewAuditEvent {
        actor,
        action: AuditAction::OrganizationSuspended,
        organization: Some(&org.id),
        target: Some(AuditTarget::organization(&org.id)),
        details: json!({"reason": reason}),
        summary: format!("{}: {reason}", org.slug),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Names the application the organization's people land in after an invitation or email
/// verification (`None`: the deployment's default). Only an application that can start a
/// sign-in (it has an initiate login URI) can be one.
pub async fn set_landing_application(
    state: &AppState,
    actor: &Actor,
    org: &Organization,
    client_id: Option<&str>,
) -> Result<()> {
    let app = match client_id {
        Some(client_id) => {
            let app = crate::services::applications::find(&state.store, client_id).await?;
            if app.initiate_login_uri.is_none() {
                return Err(Error::Forbidden);
            }
            Some(app)
        }
        None => None,
    };
    let mut tx = state.store.begin().await?;
    organizations::set_default_application(
        &mut *tx,
        &org.id,
        app.as_ref().map(|app| app.id.as_str()),
    )
    .await?;
    let event = NewAuditEvent {
        actor,
        action: AuditAction::OrganizationSettingsChanged,
        organization: Some(&org.id),
        target: Some(AuditTarget::organization(&org.id)),
        details: json!({"landing_application": app.as_ref().map(|app| app.client_id.as_str())}),
        summary: match &app {
            Some(app) => format!("{}: people land in {}", org.slug, app.name),
            None => format!("{}: people land in the deployment's default", org.slug),
        },
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The client id of the application the organization names as its landing, if any.
pub async fn landing_application(state: &AppState, org: &Organization) -> Result<Option<String>> {
    let Some(id) = organizations::default_application(state.store.pool(), &org.id).await? else {
        return Ok(None);
    };
    let apps = crate::services::applications::list(&state.store).await?;
    Ok(apps
        .into_iter()
        .find(|app| app.id == id)
        .map(|app| app.client_id.as_str().to_owned()))
}

pub async fn reactivate(state: &AppState, actor: &Actor, org: &Organization) -> Result<()> {
    let mut tx = state.store.begin().await?;
    organizations::set_suspended(&mut *tx, &org.id, None).await?;
    let event = NewAuditEvent {
        actor,
        action: AuditAction::OrganizationReactivated,
        organization: Some(&org.id),
        target: Some(AuditTarget::organization(&org.id)),
        details: json!({}),
        summary: org.slug.to_string(),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// What an organization's owners set for it.
pub struct Settings {
    pub name: OrgName,
    pub join_policy: JoinPolicy,
    pub invitation_lifetime: InvitationLifetime,
}

/// Saves the organization's settings, audited with what changed.
pub async fn update_settings(
    state: &AppState,
    actor: &Actor,
    org: &Organization,
    settings: &Settings,
) -> Result<()> {
    let mut tx = state.store.begin().await?;
    let form = organizations::SettingsUpdateForm {
        name: &settings.name,
        join_policy: settings.join_policy,
        invitation_lifetime: settings.invitation_lifetime,
    };
    organizations::update_settings(&mut *tx, &org.id, form).await?;
    let event = NewAuditEvent {
        actor,
        action: AuditAction::OrganizationSettingsChanged,
        organization: Some(&org.id),
        target: Some(AuditTarget::organization(&org.id)),
        details: json!({
            "name": settings.name.as_str(),
            "join_policy": settings.join_policy.as_str(),
            "invitation_days": settings.invitation_lifetime.days(),
        }),
        summary: format!(
            "{}: {}, invitations valid {} days",
            settings.name,
            settings.join_policy.as_str(),
            settings.invitation_lifetime.days()
        ),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(())
}
