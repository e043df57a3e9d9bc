//! Creating, suspending and reactivating organizations, each with its audit event.
use crate::domain::ConnectionId;
use crate::domain::audit::{Actor, AuditAction};
use crate::domain::{MembershipMode, OrgName, Organization, Role, Slug, UserId};
use crate::state::AppState;
use crate::store::{Tx, audit, connections, memberships, organizations, users};

/// What creating an organization needs.
pub struct NewOrganization {
    pub name: OrgName,
    pub slug: Slug,
    pub mode: MembershipMode,
    /// Further connections it may use (ids), besides its password connection.
    pub connections: Vec<String>,
    /// Whether people may create their own accounts on its sign-up page.
    pub allow_self_signup: bool,
}

/// The slug is already in use.
#[derive(Debug)]
pub struct SlugTaken;

/// True when no organization uses the slug yet.
pub async fn slug_available(tx: &mut Tx, slug: &Slug) -> anyhow::Result<bool> {
    Ok(organizations::find_by_slug(&mut **tx, slug.as_str())
        .await?
        .is_none())
}

/// Creates the organization inside the caller's transaction: for an isolated one, its own
/// password connection too. Writes the audit event in the same transaction.
pub async fn create_in(
    tx: &mut Tx,
    actor: &Actor,
    new: &NewOrganization,
) -> anyhow::Result<Result<Organization, SlugTaken>> {
    if !slug_available(tx, &new.slug).await? {
        return Ok(Err(SlugTaken));
    }
    let connection = match new.mode {
        // Named after the slug, which is unique: a clash means the slug was just taken.
        MembershipMode::Isolated => {
            match connections::insert_password(&mut **tx, &format!("{}-users", new.slug)).await? {
                Some(id) => id,
                None => return Ok(Err(SlugTaken)),
            }
        }
        MembershipMode::Shared => ConnectionId::default_password(),
    };
    let form = organizations::OrgInsertForm {
        slug: &new.slug,
        name: &new.name,
        mode: new.mode,
        connection_id: &connection,
        allow_self_signup: new.allow_self_signup,
    };
    let Some(org) = organizations::insert(&mut **tx, form).await? else {
        return Ok(Err(SlugTaken));
    };
    for extra in &new.connections {
        organizations::enable_connection(&mut **tx, &org.id, extra).await?;
    }
    let subject = format!("{} ({}, {})", org.name, org.slug, org.mode.as_str());
    audit::insert(
        &mut **tx,
        actor,
        AuditAction::OrganizationCreated,
        Some(&org.id),
        &subject,
    )
    .await?;
    Ok(Ok(org))
}

/// Creates an organization on its own (the operator's form).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: &NewOrganization,
) -> anyhow::Result<Result<Organization, SlugTaken>> {
    let mut tx = state.store.begin().await?;
    let created = create_in(&mut tx, actor, new).await?;
    if created.is_ok() {
        tx.commit().await?;
    }
    Ok(created)
}

/// A signed-in user founds an organization and becomes its owner.
pub async fn create_owned_by(
    state: &AppState,
    actor: &Actor,
    owner: &UserId,
    new: &NewOrganization,
) -> anyhow::Result<Result<Organization, SlugTaken>> {
    let mut tx = state.store.begin().await?;
    let org = match create_in(&mut tx, actor, new).await? {
        Ok(org) => org,
        Err(taken) => return Ok(Err(taken)),
    };
    add_member_in(&mut tx, actor, &org, owner, Role::Owner).await?;
    users::set_last_organization(&mut *tx, owner, &org.id).await?;
    tx.commit().await?;
    Ok(Ok(org))
}

/// Adds a membership and its audit event inside the caller's transaction.
pub async fn add_member_in(
    tx: &mut Tx,
    actor: &Actor,
    org: &Organization,
    user: &UserId,
    role: Role,
) -> anyhow::Result<()> {
    memberships::insert(&mut **tx, &org.id, user, role).await?;
    let subject = format!("user {user} as {}", role.as_str());
    audit::insert(
        &mut **tx,
        actor,
        AuditAction::MemberJoined,
        Some(&org.id),
        &subject,
    )
    .await?;
    Ok(())
}

/// Suspends an organization; its members are refused on their next request and told why.
pub async fn suspend(
    state: &AppState,
    actor: &Actor,
    org: &Organization,
    reason: &str,
) -> anyhow::Result<()> {
    let mut tx = state.store.begin().await?;
    organizations::set_suspended(&mut *tx, &org.id, Some(reason)).await?;
    let subject = format!("{}: {reason}", org.slug);
    audit::insert(
        &mut *tx,
        actor,
        AuditAction::OrganizationSuspended,
        Some(&org.id),
        &subject,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn reactivate(state: &AppState, actor: &Actor, org: &Organization) -> anyhow::Result<()> {
    let mut tx = state.store.begin().await?;
    organizations::set_suspended(&mut *tx, &org.id, None).await?;
    audit::insert(
        &mut *tx,
        actor,
        AuditAction::OrganizationReactivated,
        Some(&org.id),
        org.slug.as_str(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
