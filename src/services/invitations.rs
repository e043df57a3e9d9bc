//! Invitations: an email link that lets a person join an organization with a given role.
use serde_json::json;

use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::{DisplayName, Email, EmailToken, NewPassword, Organization, Role, User};
use crate::email::messages::Invitation;
use crate::services::authentication::{self, SignInOutcome};
use crate::services::throttle::Attempt;
use crate::services::{Conflict, Error, Result, branding, organizations as org_rules};
use crate::state::AppState;
use crate::store::invitations::{self, InvitationInsertForm, PendingInvitation};
use crate::store::{audit, is_unique_violation, memberships, organizations, signups, users};

/// Invites `email` to `org` as `role` and mails the link; the email says who invited them to
/// what. Audited in the same transaction. An address that already belongs to a member is
/// `Conflict::AlreadyMember`.
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    inviter_name: &str,
    org: &Organization,
    email: &Email,
    role: Role,
) -> Result<()> {
    let token = EmailToken::generate();
    let mut tx = state.store.begin().await?;
    let existing = users::find_by_email(&mut *tx, &org.connection_id, email).await?;
    let current_role = match existing {
        Some(user) => memberships::find_role(&mut *tx, &org.id, &user.id).await?,
        None => None,
    };
    if current_role.is_some() {
        return Err(Error::Conflict(Conflict::AlreadyMember));
    }
    let form = InvitationInsertForm {
        org: &org.id,
        email,
        role,
        inviter: actor.user_id.as_ref(),
        token: &token,
    };
    let invitation = invitations::insert(&mut *tx, form).await?;
    let mail = Invitation {
        inviter: inviter_name.to_owned(),
        organization: org.name.clone(),
        role: role.to_string(),
        link: state.links.invitation(&token),
        brand: branding::mail_brand(state, org),
    };
    state.mail.enqueue(&mut *tx, email, &mail).await?;
    let event = NewAuditEvent {
        actor,
        action: AuditAction::InvitationSent,
        organization: Some(&org.id),
        target: Some(AuditTarget::invitation(&invitation)),
        details: json!({"email": email.as_str(), "role": role.as_str()}),
        summary: format!("{email} as {role}"),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// A usable invitation with its organization, and whether its email already has an account
/// there (the link went to that mailbox, so telling its holder is no leak).
pub struct Pending {
    pub invitation: PendingInvitation,
    pub org: Organization,
    pub account_exists: bool,
}

pub async fn pending(state: &AppState, token: &EmailToken) -> Result<Option<Pending>> {
    let Some(invitation) = invitations::find_pending(state.store.pool(), token).await? else {
        return Ok(None);
    };
    let org_id = invitation.organization_id.clone();
    let Some(org) = organizations::find_by_id(state.store.pool(), &org_id).await? else {
        return Ok(None);
    };
    let existing =
        users::find_by_email(state.store.pool(), &org.connection_id, &invitation.email).await?;
    Ok(Some(Pending {
        invitation,
        org,
        account_exists: existing.is_some(),
    }))
}

/// How the invited person proves who they are.
pub enum Acceptance<'a> {
    /// Already signed in, as the invited address in the organization's connection.
    SignedIn(&'a User),
    /// Signs in with the password of the existing account.
    ExistingAccount { password: &'a str },
    /// Creates the account; the link proves the address, so it starts verified.
    NewAccount {
        name: DisplayName,
        password: NewPassword,
    },
}

pub enum AcceptOutcome {
    Joined(User),
    WrongPassword,
    /// The account is locked after failed sign-ins.
    Locked,
    /// Signed in as someone else than the invited address.
    NotForThisAccount,
    /// An account for the address was created while the person filled in the form.
    AccountAppeared,
    LinkUsed,
}

/// Accepts the invitation: the account (found, or created verified) joins the organization
/// with the invited role, the link is used up and the acceptance audited, all in one
/// transaction.
pub async fn accept(
    state: &AppState,
    pending: &Pending,
    how: Acceptance<'_>,
    attempt: Attempt<'_>,
) -> Result<AcceptOutcome> {
    org_rules::ensure_active(&pending.org)?;
    let client_ip = attempt.client_ip;
    let email = pending.invitation.email.clone();
    let org = &pending.org;
    let existing = match how {
        Acceptance::SignedIn(user) => {
            if user.connection_id != org.connection_id || user.email != email {
                return Ok(AcceptOutcome::NotForThisAccount);
            }
            Ok(user.clone())
        }
        // A password sign-in like any other: throttled, and closed to blocked accounts. The
        // link itself proves the address, so an unverified account may accept.
        Acceptance::ExistingAccount { password } => {
            match authentication::sign_in(state, &org.connection_id, &email, password, attempt)
                .await?
            {
                SignInOutcome::SignedIn(user) => Ok(user),
                SignInOutcome::Locked => return Ok(AcceptOutcome::Locked),
                SignInOutcome::Rejected => return Ok(AcceptOutcome::WrongPassword),
            }
        }
        Acceptance::NewAccount { name, password } => {
            Err((name, state.passwords.hash(&password).await?))
        }
    };

    let mut tx = state.store.begin().await?;
    if !invitations::accept(&mut *tx, &pending.invitation.id).await? {
        return Ok(AcceptOutcome::LinkUsed);
    }
    let user = match existing {
        Ok(user) => user,
        Err((name, hash)) => {
            let form = users::UserInsertForm {
                connection_id: &org.connection_id,
                email: &email,
                name: &name,
                password_hash: &hash,
                email_verified: true,
                operator: false,
            };
            match users::insert(&mut *tx, form).await {
                Ok(user) => user,
                // The address got an account since the page was shown: the invitation stays
                // unused (the transaction rolls back) and the page asks for that password.
                Err(err) if is_unique_violation(&err) => return Ok(AcceptOutcome::AccountAppeared),
                Err(err) => return Err(err.into()),
            }
        }
    };
    users::mark_email_verified(&mut *tx, &user.id).await?;
    // The link proved the mailbox: sign-ups of the address typed by anyone are void.
    signups::void_for_address(&mut *tx, &org.connection_id, &email).await?;
    let role = pending.invitation.role;
    if memberships::find_role(&mut *tx, &org.id, &user.id)
        .await?
        .is_none()
    {
        memberships::insert(&mut *tx, &org.id, &user, role).await?;
    }
    users::set_last_organization(&mut *tx, &user.id, &org.id).await?;
    let actor = Actor::user(&user, client_ip);
    let event = NewAuditEvent {
        actor: &actor,
        action: AuditAction::InvitationAccepted,
        organization: Some(&org.id),
        target: Some(AuditTarget::invitation(&pending.invitation.id)),
        details: json!({"email": user.email.as_str(), "role": role.as_str()}),
        summary: format!("{} as {role}", user.email),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(AcceptOutcome::Joined(user))
}
