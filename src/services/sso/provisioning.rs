//! Who a person who signed in at their company's identity provider is here: the user their
//! (connection, `sub`) names, an existing account linked safely, or a new account with its
//! membership (just-in-time provisioning). One transaction: nothing is half created.
use serde_json::json;

use super::Refusal;
use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::sso::{ExternalProfile, OidcConnection};
use crate::domain::{DisplayName, DomainName, Email, Organization, Role, User};
use crate::services::Result;
use crate::state::AppState;
use crate::store::{
    Tx, audit, domains, external_identities, is_unique_violation, memberships, users,
};

/// The person `profile` describes, as a user of `org`; or why they may not sign in. A first
/// sign-in racing another for the same person loses its insert and finds the winner's user.
pub async fn provision(
    state: &AppState,
    connection: &OidcConnection,
    org: &Organization,
    profile: &ExternalProfile,
    client_ip: &str,
) -> Result<Result<User, Refusal>> {
    for _ in 0..2 {
        let mut tx = state.store.begin().await?;
        match provision_in(&mut tx, connection, org, profile, client_ip).await {
            Ok(Ok(user)) => {
                tx.commit().await?;
                return Ok(Ok(user));
            }
            Ok(Err(refusal)) => return Ok(Err(refusal)),
            Err(sqlx_err) if is_unique_violation(&sqlx_err) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Ok(Err(Refusal::Failed(
        "two sign-ins created the same person at once".into(),
    )))
}

async fn provision_in(
    tx: &mut Tx,
    connection: &OidcConnection,
    org: &Organization,
    profile: &ExternalProfile,
    client_ip: &str,
) -> Result<Result<User, Refusal>, sqlx::Error> {
    let settings = &connection.settings;
    let role = settings
        .role_rules
        .role_for(&profile.groups, settings.default_role);
    let id = &connection.connection_id;
    if let Some(user_id) = external_identities::find_user(&mut **tx, id, &profile.subject).await? {
        let Some(user) = users::find_by_id(&mut **tx, &user_id).await? else {
            return Ok(Err(Refusal::Failed("the linked user is gone".into())));
        };
        if user.blocked {
            return Ok(Err(Refusal::Blocked));
        }
        let member = memberships::find_role(&mut **tx, &org.id, &user.id).await?;
        // Removed from the organization, and the provider does not create members: out.
        if member.is_none() && !settings.create_users {
            return Ok(Err(Refusal::NoAccount));
        }
        if settings.update_every_sign_in {
            follow_profile(tx, connection, &user, profile).await?;
        }
        ensure_member(tx, org, &user, role, settings.update_every_sign_in).await?;
        external_identities::touch(&mut **tx, id, &profile.subject).await?;
        let user = users::find_by_id(&mut **tx, &user_id)
            .await?
            .unwrap_or(user);
        return Ok(Ok(user));
    }
    let Some(email) = profile.email.as_ref() else {
        return Ok(Err(Refusal::NoEmail));
    };
    // An account with this email in the organization's own password connection.
    if let Some(existing) = users::find_by_email(&mut **tx, &org.connection_id, email).await? {
        if !profile.email_verified || !verified_by(tx, org, email).await? {
            return Ok(Err(Refusal::LinkNotAllowed));
        }
        if existing.blocked {
            return Ok(Err(Refusal::Blocked));
        }
        // Whoever set the provider up can only reach accounts of their own role or below.
        let held = memberships::find_role(&mut **tx, &org.id, &existing.id).await?;
        if held.is_some_and(|role| role > connection.managed_by_role) {
            return Ok(Err(Refusal::LinkNotAllowed));
        }
        if !external_identities::insert(&mut **tx, id, &profile.subject, &existing.id).await? {
            return Ok(Err(Refusal::Failed("identity linked meanwhile".into())));
        }
        ensure_member(tx, org, &existing, role, false).await?;
        record(
            tx,
            AuditAction::SsoAccountLinked,
            org,
            connection,
            &existing,
            client_ip,
        )
        .await?;
        return Ok(Ok(existing));
    }
    if users::find_by_email(&mut **tx, id, email).await?.is_some() {
        return Ok(Err(Refusal::EmailInUse));
    }
    if !settings.create_users {
        return Ok(Err(Refusal::NoAccount));
    }
    let name = DisplayName::or_from_email(profile.name.as_deref(), email);
    let user = users::insert(
        &mut **tx,
        users::UserInsertForm {
            connection_id: id,
            email,
            name: &name,
            password_hash: None,
            email_verified: profile.email_verified,
            operator: false,
        },
    )
    .await?;
    if !external_identities::insert(&mut **tx, id, &profile.subject, &user.id).await? {
        return Ok(Err(Refusal::Failed("identity created meanwhile".into())));
    }
    memberships::insert(&mut **tx, &org.id, &user, role).await?;
    record(
        tx,
        AuditAction::SsoUserCreated,
        org,
        connection,
        &user,
        client_ip,
    )
    .await?;
    Ok(Ok(user))
}

/// The name and email the provider sends now, for an account the connection owns (a linked
/// password account keeps its own email, which it signs in with).
async fn follow_profile(
    tx: &mut Tx,
    connection: &OidcConnection,
    user: &User,
    profile: &ExternalProfile,
) -> Result<(), sqlx::Error> {
    let email = match &profile.email {
        Some(email) if user.connection_id == connection.connection_id => email.clone(),
        _ => user.email.clone(),
    };
    let name = profile
        .name
        .as_deref()
        .and_then(|name| DisplayName::parse(name).ok())
        .unwrap_or_else(|| user.name.clone());
    if email != user.email || name != user.name {
        users::update_profile(tx, &user.id, &email, &name).await?;
    }
    Ok(())
}

/// Makes `user` a member with `role`; an existing member's role follows the provider when
/// `follow` is set, except an owner's: owners are made and unmade by owners only.
async fn ensure_member(
    tx: &mut Tx,
    org: &Organization,
    user: &User,
    role: Role,
    follow: bool,
) -> Result<(), sqlx::Error> {
    match memberships::find_role(&mut **tx, &org.id, &user.id).await? {
        None => memberships::insert(&mut **tx, &org.id, user, role).await,
        Some(current) if follow && current != role && current != Role::Owner => {
            memberships::update_role(&mut **tx, &org.id, &user.id, role).await
        }
        Some(_) => Ok(()),
    }
}

/// Whether the organization has verified the domain of `email`.
async fn verified_by(tx: &mut Tx, org: &Organization, email: &Email) -> Result<bool, sqlx::Error> {
    let Some(name) = DomainName::of_email(email) else {
        return Ok(false);
    };
    Ok(domains::find_verifier(&mut **tx, &name).await?.as_ref() == Some(&org.id))
}

async fn record(
    tx: &mut Tx,
    action: AuditAction,
    org: &Organization,
    connection: &OidcConnection,
    user: &User,
    client_ip: &str,
) -> Result<(), sqlx::Error> {
    let event = NewAuditEvent {
        actor: &Actor::user(user, client_ip),
        action,
        organization: Some(&org.id),
        target: Some(AuditTarget::user(&user.id)),
        details: json!({"connection": connection.connection_id, "idp": connection.settings.display_name}),
        summary: user.email.to_string(),
    };
    audit::insert(&mut **tx, event).await
}
