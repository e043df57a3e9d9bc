//! Invitations: an email link that lets a person join an organization with a given role.
use serde_json::json;

use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::invitation_csv::CsvRow;
use crate::domain::{
    DisplayName, Email, EmailToken, InvitationState, InvitationSummary, NewPassword, Organization,
    Role, User, membership,
};
use crate::email::messages::Invitation;
use crate::services::authentication::{self, SignInOutcome};
use crate::services::paging::{PER_PAGE, Page};
use crate::services::throttle::Attempt;
use crate::services::{Conflict, Error, Result, branding, organizations as org_rules};
use crate::state::AppState;
use crate::store::invitations::{self, InvitationInsertForm};
use crate::store::{Tx, audit, is_unique_violation, memberships, organizations, signups, users};

/// Who sends an invitation: a member who manages the organization, or the platform operator
/// provisioning its first owner.
pub struct Inviter<'a> {
    pub actor: &'a Actor,
    pub name: &'a str,
    /// The inviter's role in the organization; `None` for the platform operator.
    pub role: Option<Role>,
}

/// Invites `email` to `org` as `role` and mails the link; the email says who invited them to
/// what. Audited in the same transaction. An address that already belongs to a member is
/// `Conflict::AlreadyMember`, one with a pending invitation `Conflict::AlreadyInvited`: no
/// second mail goes out.
pub async fn invite(
    state: &AppState,
    inviter: &Inviter<'_>,
    org: &Organization,
    email: &Email,
    role: Role,
) -> Result<()> {
    if let Some(own) = inviter.role {
        membership::may_invite(own, role).map_err(Error::Refused)?;
    }
    let mut tx = state.store.begin().await?;
    if memberships::has_member_email(&mut *tx, &org.id, email).await? {
        return Err(Error::Conflict(Conflict::AlreadyMember));
    }
    if invitations::is_pending_for(&mut *tx, &org.id, email).await? {
        return Err(Error::Conflict(Conflict::AlreadyInvited));
    }
    send(state, &mut tx, inviter, org, email, role).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// Stores one invitation, queues its mail and audits it, in the caller's transaction.
async fn send(
    state: &AppState,
    tx: &mut Tx,
    inviter: &Inviter<'_>,
    org: &Organization,
    email: &Email,
    role: Role,
) -> Result<()> {
    let token = EmailToken::generate();
    let form = InvitationInsertForm {
        org: &org.id,
        email,
        role,
        inviter: inviter.actor.user_id.as_ref(),
        token: &token,
        lifetime_secs: org.invitation_lifetime.secs(),
    };
    let invitation = invitations::insert(&mut **tx, form).await?;
    mail_link(state, tx, inviter.name, org, email, role, &token).await?;
    let event = NewAuditEvent {
        actor: inviter.actor,
        action: AuditAction::InvitationSent,
        organization: Some(&org.id),
        target: Some(AuditTarget::invitation(&invitation)),
        details: json!({"email": email.as_str(), "role": role.as_str()}),
        summary: format!("{email} as {role}"),
    };
    audit::insert(&mut **tx, event).await?;
    Ok(())
}

async fn mail_link(
    state: &AppState,
    tx: &mut Tx,
    inviter: &str,
    org: &Organization,
    email: &Email,
    role: Role,
    token: &EmailToken,
) -> Result<()> {
    let mail = Invitation {
        inviter: inviter.to_owned(),
        organization: org.name.clone(),
        role: role.to_string(),
        link: state.links.invitation(token),
        days: org.invitation_lifetime.days(),
        brand: branding::mail_brand(state, org),
    };
    state.mail.enqueue(&mut **tx, email, &mail).await?;
    Ok(())
}

/// What became of one row of a bulk invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    Invited,
    AlreadyMember,
    AlreadyInvited,
    DuplicateInFile,
    InvalidEmail,
    UnknownRole,
    RoleAboveYours,
}

impl RowOutcome {
    pub fn text(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::AlreadyMember => "already a member",
            Self::AlreadyInvited => "already invited",
            Self::DuplicateInFile => "listed twice in the file",
            Self::InvalidEmail => "invalid email",
            Self::UnknownRole => "unknown role (use member, admin or owner)",
            Self::RoleAboveYours => "role above your own",
        }
    }
}

/// Invites every valid row of a file, in one transaction: all of them or, should anything
/// fail, none. Rows that cannot be invited are reported, not fatal. Mails are queued, not
/// sent, within it, so a file of 10,000 rows answers in seconds.
pub async fn invite_many(
    state: &AppState,
    inviter: &Inviter<'_>,
    org: &Organization,
    rows: &[CsvRow],
) -> Result<Vec<(CsvRow, RowOutcome)>> {
    let mut tx = state.store.begin().await?;
    let members = memberships::member_emails(&mut *tx, &org.id).await?;
    let mut invited = invitations::pending_emails(&mut *tx, &org.id).await?;
    let mut seen = std::collections::HashSet::new();
    let mut results = Vec::with_capacity(rows.len());
    for row in rows {
        let outcome = match (Email::parse(&row.email), Role::parse(row.role.trim())) {
            (Err(_), _) => RowOutcome::InvalidEmail,
            (_, Err(_)) => RowOutcome::UnknownRole,
            (Ok(email), Ok(role)) => {
                if !seen.insert(email.as_str().to_owned()) {
                    RowOutcome::DuplicateInFile
                } else if members.contains(email.as_str()) {
                    RowOutcome::AlreadyMember
                } else if invited.contains(email.as_str()) {
                    RowOutcome::AlreadyInvited
                } else if inviter
                    .role
                    .is_some_and(|own| membership::may_invite(own, role).is_err())
                {
                    RowOutcome::RoleAboveYours
                } else {
                    send(state, &mut tx, inviter, org, &email, role).await?;
                    invited.insert(email.as_str().to_owned());
                    RowOutcome::Invited
                }
            }
        };
        results.push((row.clone(), outcome));
    }
    tx.commit().await?;
    state.mail.wake();
    Ok(results)
}

/// A page of the organization's invitations, newest first, in every state.
pub async fn list(
    state: &AppState,
    org: &Organization,
    before: Option<&str>,
) -> Result<Page<InvitationSummary>> {
    let found = invitations::list_page(state.store.pool(), &org.id, before, PER_PAGE).await?;
    Ok(Page::of(found, |i| i.id.clone()))
}

/// Sends an unanswered (pending or expired) invitation again with a new link and a fresh
/// lifetime; the old link stops working.
pub async fn resend(
    state: &AppState,
    inviter: &Inviter<'_>,
    org: &Organization,
    id: &str,
) -> Result<()> {
    let mut tx = state.store.begin().await?;
    let invitation = invitations::find(&mut *tx, &org.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    if let Some(own) = inviter.role {
        membership::may_invite(own, invitation.role).map_err(Error::Refused)?;
    }
    let token = EmailToken::generate();
    let lifetime = org.invitation_lifetime.secs();
    if !invitations::replace_token(&mut *tx, id, &token, lifetime).await? {
        return Err(Error::Conflict(Conflict::InvitationAnswered));
    }
    let (email, role) = (&invitation.email, invitation.role);
    mail_link(state, &mut tx, inviter.name, org, email, role, &token).await?;
    let event = NewAuditEvent {
        actor: inviter.actor,
        action: AuditAction::InvitationResent,
        organization: Some(&org.id),
        target: Some(AuditTarget::invitation(id)),
        details: json!({"email": email.as_str(), "role": role.as_str()}),
        summary: format!("{email} as {role}"),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// Revokes an unanswered invitation: its link stops working at once.
pub async fn revoke(state: &AppState, actor: &Actor, org: &Organization, id: &str) -> Result<()> {
    let mut tx = state.store.begin().await?;
    let invitation = invitations::find(&mut *tx, &org.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    if !invitations::revoke(&mut *tx, id).await? {
        return Err(Error::Conflict(Conflict::InvitationAnswered));
    }
    let event = NewAuditEvent {
        actor,
        action: AuditAction::InvitationRevoked,
        organization: Some(&org.id),
        target: Some(AuditTarget::invitation(id)),
        details: json!({"email": invitation.email.as_str(), "role": invitation.role.as_str()}),
        summary: format!("{} as {}", invitation.email, invitation.role),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// A usable invitation with its organization, and whether its email already has an account
/// there (the link went to that mailbox, so telling its holder is no leak).
pub struct Pending {
    pub invitation: InvitationSummary,
    pub org: Organization,
    pub account_exists: bool,
}

/// What an invitation link leads to.
pub enum Link {
    Pending(Pending),
    /// Accepted already: a second click leads its member into the organization.
    Accepted(Organization),
    Expired(Organization),
    Revoked(Organization),
    Unknown,
}

/// The invitation behind a link, in whatever state (looking does not use it up).
pub async fn lookup(state: &AppState, token: &EmailToken) -> Result<Link> {
    let db = state.store.pool();
    let Some(invitation) = invitations::find_by_token(db, token).await? else {
        return Ok(Link::Unknown);
    };
    let Some(org) = organizations::find_by_id(db, &invitation.organization_id).await? else {
        return Ok(Link::Unknown);
    };
    Ok(match invitation.state {
        InvitationState::Accepted => Link::Accepted(org),
        InvitationState::Expired => Link::Expired(org),
        InvitationState::Revoked => Link::Revoked(org),
        InvitationState::Pending => {
            let existing = users::find_by_email(db, &org.connection_id, &invitation.email).await?;
            Link::Pending(Pending {
                invitation,
                org,
                account_exists: existing.is_some(),
            })
        }
    })
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
    /// The legacy store that keeps the account's password could not be asked.
    LegacyStoreUnavailable,
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
                // The invitation link proves the address the account was never confirmed for.
                SignInOutcome::SignedIn(user) | SignInOutcome::EmailUnconfirmed(user) => Ok(user),
                SignInOutcome::Locked => return Ok(AcceptOutcome::Locked),
                SignInOutcome::Rejected => return Ok(AcceptOutcome::WrongPassword),
                SignInOutcome::LegacyStoreUnavailable => {
                    return Ok(AcceptOutcome::LegacyStoreUnavailable);
                }
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
                password_hash: Some(&hash),
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
