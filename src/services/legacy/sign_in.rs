//! A password sign-in that Usher's own store cannot answer: the email is unknown at the
//! password connection, or its user's password stays in a legacy store (proxy mode). The
//! legacy stores enabled for the connection's organizations are asked in turn; the first
//! that knows the email decides.
use serde_json::json;

use super::{Answer, LegacyError, LegacyUserRecord};
use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::legacy::{LegacyConnection, Mode};
use crate::domain::{ConnectionId, DomainName, Email, OrganizationId, Role, User};
use crate::services::Result;
use crate::state::AppState;
use crate::store::{audit, domains, legacy_connections, memberships, users};

pub enum LegacySignIn {
    SignedIn(User),
    /// The password is wrong, or no legacy store has the email.
    Rejected,
    /// A store that may have the email could not be asked.
    Unavailable(LegacyError),
}

/// Asks the legacy stores enabled at `connection` about an email Usher does not know there,
/// `None` when none has it. A right password brings the user over (migrate mode: the
/// password rehashed to argon2id; proxy mode: no password kept), into every organization at
/// this connection that uses the store.
pub async fn unknown_email(
    state: &AppState,
    connection: &ConnectionId,
    email: &Email,
    password: &str,
) -> Result<Option<LegacySignIn>> {
    let stores =
        legacy_connections::for_password_connection(state.store.pool(), connection).await?;
    if stores.is_empty() {
        return Ok(None);
    }
    let mut unavailable = None;
    for legacy in &stores {
        match ask(state, legacy, email, password).await {
            Ok(Answer::Matched(record)) => {
                let user = bring_over(state, connection, legacy, &record, password).await?;
                return Ok(Some(user));
            }
            Ok(Answer::WrongPassword) => return Ok(Some(LegacySignIn::Rejected)),
            // A store whose settings do not work cannot vouch for anyone (the operator is told
            // in the log); the sign-in goes on as if it did not know the email.
            Ok(Answer::Unknown) | Err(LegacyError::Misconfigured(_)) => {}
            Err(err) => unavailable = Some(err),
        }
    }
    // No store has the email: the caller answers as for any unknown email, in the same time.
    Ok(unavailable.map(LegacySignIn::Unavailable))
}

/// Checks the password of a user whose legacy store keeps it (proxy mode).
pub async fn proxied(
    state: &AppState,
    user: &User,
    password: &str,
) -> Result<Option<LegacySignIn>> {
    let db = state.store.pool();
    let Some((id, legacy_id)) = legacy_connections::proxying(db, &user.id).await? else {
        return Ok(None);
    };
    let Some(legacy) = legacy_connections::find(db, &id).await? else {
        return Ok(None);
    };
    Ok(Some(
        match ask(state, &legacy, &user.email, password).await {
            // The same person as at their first sign-in: an address the old system gave to
            // someone else since does not open this account.
            Ok(Answer::Matched(record)) if legacy_id.as_deref() == Some(record.id.as_str()) => {
                if legacy.mode == Mode::Migrate {
                    migrate_proxied(state, user, password).await?;
                }
                LegacySignIn::SignedIn(user.clone())
            }
            Ok(Answer::Matched(_) | Answer::WrongPassword | Answer::Unknown) => {
                LegacySignIn::Rejected
            }
            Err(LegacyError::Misconfigured(_)) => LegacySignIn::Rejected,
            Err(err) => LegacySignIn::Unavailable(err),
        },
    ))
}

/// A proxied user of a store switched to migrate mode since: this sign-in brings them over.
async fn migrate_proxied(state: &AppState, user: &User, password: &str) -> Result<()> {
    let hash = state.passwords.rehash(password).await?;
    let mut tx = state.store.begin().await?;
    users::update_password_hash(&mut *tx, &user.id, &hash).await?;
    legacy_connections::proxied_now_migrated(&mut *tx, &user.id).await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, "proxied user migrated at sign-in");
    Ok(())
}

async fn ask(
    state: &AppState,
    legacy: &LegacyConnection,
    email: &Email,
    password: &str,
) -> std::result::Result<Answer, LegacyError> {
    let answer = state
        .legacy
        .ask(&state.sealer, &state.passwords, legacy, email, password)
        .await;
    if let Err(LegacyError::Unavailable(why) | LegacyError::Misconfigured(why)) = &answer {
        // For the store's page; a failure to note it must not fail the sign-in too.
        let noted =
            legacy_connections::record_problem(state.store.pool(), &legacy.connection_id, why);
        if let Err(err) = noted.await {
            tracing::warn!(error = %err, "cannot note the legacy store's problem");
        }
    }
    answer
}

/// Creates the user the legacy store vouched for, with their memberships, in one
/// transaction. Two first sign-ins at once create one user: the second finds the first's,
/// and signs in only if the password is that user's too.
async fn bring_over(
    state: &AppState,
    connection: &ConnectionId,
    legacy: &LegacyConnection,
    record: &LegacyUserRecord,
    password: &str,
) -> Result<LegacySignIn> {
    let hash = match legacy.mode {
        Mode::Migrate => Some(state.passwords.rehash(password).await?),
        Mode::Proxy => None,
    };
    let db = state.store.pool();
    let orgs: Vec<OrganizationId> = legacy_connections::organizations(db, &legacy.connection_id)
        .await?
        .into_iter()
        .filter(|org| &org.connection_id == connection)
        .map(|org| org.id)
        .collect();
    let verified =
        record.email_verified && vouches(state, connection, &orgs, &record.email).await?;
    let form = users::UserInsertForm {
        connection_id: connection,
        email: &record.email,
        name: &record.name,
        password_hash: hash.as_deref(),
        email_verified: verified,
        operator: false,
    };
    let mut tx = state.store.begin().await?;
    let Some(user) = users::insert_many_unless_taken(&mut *tx, &[form])
        .await?
        .pop()
    else {
        drop(tx);
        return signed_in_meanwhile(state, connection, record, password).await;
    };
    for org in &orgs {
        memberships::insert(&mut *tx, org, &user, Role::Member).await?;
    }
    legacy_connections::record_user(
        &mut *tx,
        &user.id,
        &legacy.connection_id,
        legacy.mode,
        &record.id,
    )
    .await?;
    audit::insert(
        &mut *tx,
        NewAuditEvent {
            actor: &Actor {
                user_id: Some(user.id.clone()),
                email: Some(user.email.to_string()),
                client_ip: None,
            },
            action: AuditAction::LegacyUserMigrated,
            organization: orgs.first(),
            target: Some(AuditTarget::user(&user.id)),
            details: json!({
                "connection": legacy.name,
                "mode": legacy.mode.as_str(),
                "legacy_id": record.id,
            }),
            summary: format!("{} from {}", user.email, legacy.name),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user = %user.id, connection = %legacy.name, mode = legacy.mode.as_str(), "user came over from a legacy store");
    Ok(LegacySignIn::SignedIn(user))
}

/// Whether the store's word that an address is verified is enough. On an organization's own
/// connection nobody else's users live, so it is; on the shared connection a store (another
/// customer's system) vouches only for addresses at a domain one of its organizations has
/// verified: anyone else proves their mailbox before signing in.
async fn vouches(
    state: &AppState,
    connection: &ConnectionId,
    orgs: &[OrganizationId],
    email: &Email,
) -> Result<bool> {
    if *connection != ConnectionId::default_password() {
        return Ok(true);
    }
    let Ok(domain) = DomainName::parse(email.domain()) else {
        return Ok(false);
    };
    let verifier = domains::find_verifier(state.store.pool(), &domain).await?;
    Ok(verifier.is_some_and(|org| orgs.contains(&org)))
}

/// Another sign-in created the user between the lookup and the insert.
async fn signed_in_meanwhile(
    state: &AppState,
    connection: &ConnectionId,
    record: &LegacyUserRecord,
    password: &str,
) -> Result<LegacySignIn> {
    let Some(user) = users::find_by_email(state.store.pool(), connection, &record.email).await?
    else {
        return Ok(LegacySignIn::Rejected);
    };
    let matches = match user.password_hash.as_deref() {
        Some(hash) => state.passwords.verify(password, Some(hash)).await?,
        // Proxied: the legacy store has just said the password is right.
        None => legacy_connections::proxying(state.store.pool(), &user.id)
            .await?
            .is_some_and(|(_, legacy_id)| legacy_id.as_deref() == Some(record.id.as_str())),
    };
    Ok(if matches {
        LegacySignIn::SignedIn(user)
    } else {
        LegacySignIn::Rejected
    })
}
