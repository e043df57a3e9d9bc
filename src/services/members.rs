//! Who belongs to an organization: the membership check every organization page starts
//! with, and the member list.
use serde_json::json;

use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::{
    MemberSummary, Organization, OrganizationId, Role, Slug, User, UserId, membership,
};
use crate::services::oauth::backchannel;
use crate::services::paging::{self, PER_PAGE, Page, SearchCursor};
use crate::services::{Error, Result, organizations};
use crate::state::AppState;
use crate::store::{
    Tx, application_sign_ins, audit, memberships, organizations as org_store, refresh_tokens, users,
};

/// A verified membership: the organization and the member's role in it.
pub struct Membership {
    pub org: Organization,
    pub role: Role,
}

/// The user's membership of the organization `slug` names. Anyone who is not a member gets
/// `NotFound`, so that another organization's pages do not even reveal that it exists; a
/// member of a suspended organization is told why.
pub async fn membership(state: &AppState, user: &User, slug: &Slug) -> Result<Membership> {
    let org = org_store::find_by_slug(state.store.pool(), slug.as_str())
        .await?
        .ok_or(Error::NotFound)?;
    let role = memberships::find_role(state.store.pool(), &org.id, &user.id)
        .await?
        .ok_or(Error::NotFound)?;
    organizations::ensure_active_for_member(&org)?;
    Ok(Membership { org, role })
}

/// A page of the organization's members: by join time, or, when `search` is given, those
/// whose email or name starts with it, by email.
pub async fn page(
    state: &AppState,
    org: &Organization,
    search: &str,
    after: Option<&str>,
) -> Result<Page<MemberSummary>> {
    let search = search.trim().to_lowercase();
    let db = state.store.pool();
    if search.is_empty() {
        let after = after.and_then(paging::parse_member_key);
        let members = memberships::list_page(db, &org.id, after, PER_PAGE).await?;
        return Ok(Page::of(members, |m| {
            paging::member_key(m.joined_at, m.user_id.as_str())
        }));
    }
    search_page(db, &org.id, &search, after.and_then(SearchCursor::parse)).await
}

/// A page of a member search: email matches by email, then name matches by name, each read
/// along its own index, so that a page costs the same whether the prefix matches nobody, a few
/// or everyone.
async fn search_page(
    db: &sqlx::AnyPool,
    org: &OrganizationId,
    prefix: &str,
    cursor: Option<SearchCursor>,
) -> Result<Page<MemberSummary>> {
    let mut items = Vec::new();
    let name_after = match &cursor {
        None | Some(SearchCursor::Email(..)) => {
            let after = match &cursor {
                Some(SearchCursor::Email(email, id)) => Some((email.as_str(), id.as_str())),
                _ => None,
            };
            items = memberships::search_by_email(db, org, prefix, after, PER_PAGE).await?;
            if items.len() as i64 == PER_PAGE {
                let next = items
                    .last()
                    .map(|m| SearchCursor::Email(m.email.to_string(), m.user_id.to_string()).key());
                return Ok(Page { items, next });
            }
            None
        }
        Some(SearchCursor::Name(key, id)) => Some((key.as_str(), id.as_str())),
    };
    let room = PER_PAGE - items.len() as i64;
    let hits = memberships::search_by_name(db, org, prefix, name_after, room).await?;
    let next = (hits.len() as i64 == room)
        .then(|| hits.last())
        .flatten()
        .map(|(m, key)| SearchCursor::Name(key.clone(), m.user_id.to_string()).key());
    items.extend(hits.into_iter().map(|(member, _)| member));
    Ok(Page { items, next })
}

/// Who manages the organization in a portal request: the signed-in user and their role.
pub struct Manager<'a> {
    pub user: &'a User,
    pub org: &'a Organization,
    pub role: Role,
    pub client_ip: &'a str,
}

impl Manager<'_> {
    fn actor(&self) -> Actor {
        Actor::user(self.user, self.client_ip)
    }
}

/// Changes a member's role, by the rules of `domain::membership`: nobody grants above their own
/// role, owners are changed by owners only, and the last owner stays one. Audited in the same
/// transaction, which holds the organization's lock so that two owners demoting each other at
/// once cannot leave it without one.
pub async fn change_role(
    state: &AppState,
    manager: &Manager<'_>,
    target: &UserId,
    role: Role,
) -> Result<()> {
    let org = manager.org;
    let mut tx = state.store.begin().await?;
    org_store::lock(&mut *tx, &org.id).await?;
    let member = memberships::find(&mut *tx, &org.id, target)
        .await?
        .ok_or(Error::NotFound)?;
    let owners = memberships::count_owners(&mut *tx, &org.id).await?;
    membership::may_change_role(manager.role, member.role, role, owners).map_err(Error::Refused)?;
    if member.role == role {
        return Ok(());
    }
    memberships::update_role(&mut *tx, &org.id, target, role).await?;
    let event = NewAuditEvent {
        actor: &manager.actor(),
        action: AuditAction::MemberRoleChanged,
        organization: Some(&org.id),
        target: Some(AuditTarget::user(target)),
        details: json!({"email": member.email.as_str(), "from": member.role.as_str(), "to": role.as_str()}),
        summary: format!("{}: {} → {role}", member.email, member.role),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member. Their access ends at once: the next request to the organization finds
/// no membership (404), and it is no longer their last choice.
pub async fn remove(state: &AppState, manager: &Manager<'_>, target: &UserId) -> Result<()> {
    let org = manager.org;
    let mut tx = state.store.begin().await?;
    org_store::lock(&mut *tx, &org.id).await?;
    let member = memberships::find(&mut *tx, &org.id, target)
        .await?
        .ok_or(Error::NotFound)?;
    let owners = memberships::count_owners(&mut *tx, &org.id).await?;
    membership::may_remove(manager.role, member.role, owners).map_err(Error::Refused)?;
    end_membership(&mut tx, org, &member).await?;
    let event = NewAuditEvent {
        actor: &manager.actor(),
        action: AuditAction::MemberRemoved,
        organization: Some(&org.id),
        target: Some(AuditTarget::user(target)),
        details: json!({"email": member.email.as_str(), "role": member.role.as_str()}),
        summary: format!("{} ({})", member.email, member.role),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// The member leaves the organization on their own; its last owner cannot.
pub async fn leave(state: &AppState, user: &User, slug: &Slug, client_ip: &str) -> Result<()> {
    let Membership { org, .. } = membership(state, user, slug).await?;
    let mut tx = state.store.begin().await?;
    org_store::lock(&mut *tx, &org.id).await?;
    let member = memberships::find(&mut *tx, &org.id, &user.id)
        .await?
        .ok_or(Error::NotFound)?;
    let owners = memberships::count_owners(&mut *tx, &org.id).await?;
    membership::may_leave(member.role, owners).map_err(Error::Refused)?;
    end_membership(&mut tx, &org, &member).await?;
    let event = NewAuditEvent {
        actor: &Actor::user(user, client_ip),
        action: AuditAction::MemberLeft,
        organization: Some(&org.id),
        target: Some(AuditTarget::user(&user.id)),
        details: json!({"email": member.email.as_str(), "role": member.role.as_str()}),
        summary: format!("{} ({})", member.email, member.role),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

async fn end_membership(tx: &mut Tx, org: &Organization, member: &MemberSummary) -> Result<()> {
    memberships::delete(&mut **tx, &org.id, &member.user_id).await?;
    users::clear_last_organization(&mut **tx, &member.user_id, &org.id).await?;
    // The applications' refresh tokens for this organization end with the membership.
    refresh_tokens::revoke_for_member(&mut **tx, &member.user_id, &org.id).await?;
    // And the applications signed in to it hear so.
    let ended =
        application_sign_ins::take_for_member(&mut **tx, member.user_id.as_str(), org.id.as_str())
            .await?;
    backchannel::queue_logouts(tx, ended).await?;
    Ok(())
}

/// The role the user holds in `org`, if a member (the header shows the current organization
/// only while it is one).
pub async fn role_in(
    state: &AppState,
    user: &UserId,
    org: &OrganizationId,
) -> Result<Option<Role>> {
    Ok(memberships::find_role(state.store.pool(), org, user).await?)
}
