//! What a use case refuses, in the services' own words. Each face maps it to its own answer:
//! the browser face to a page, the JSON face to an error code.
use std::fmt;

use crate::domain::MembershipRefusal;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing there, or nothing the caller may see (the same answer, on purpose).
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// `reason` is the operator's, for the organization's own members only.
    #[error("organization {name} is suspended")]
    Suspended {
        name: String,
        reason: Option<String>,
    },
    #[error("too many requests; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    #[error("forbidden")]
    Forbidden,
    /// A rule of the organization refuses the change (the last owner, a role above one's own).
    #[error("refused: {}", .0.message())]
    Refused(MembershipRefusal),
    /// An OAuth 2.0 or OpenID Connect refusal, answered in the protocol's own terms.
    #[error(transparent)]
    OAuth(#[from] crate::domain::oauth::OAuthError),
    /// The database cannot be reached for now (a restart, a failover).
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error(transparent)]
    Unexpected(anyhow::Error),
}

/// What a write collided with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The organization address is in use.
    SlugTaken,
    /// The invited address already belongs to a member.
    AlreadyMember,
    /// An account already uses the email.
    EmailTaken,
    /// A pending invitation for the address exists.
    AlreadyInvited,
    /// Another organization verified the domain.
    DomainTaken,
    /// The invitation was accepted or revoked already.
    InvitationAnswered,
    /// The organization has added the domain already.
    DomainAlreadyAdded,
    /// Another instance rotated the signing keys at the same moment.
    RotationRaced,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SlugTaken => "slug taken",
            Self::AlreadyMember => "already a member",
            Self::EmailTaken => "email taken",
            Self::AlreadyInvited => "already invited",
            Self::DomainTaken => "domain verified by another organization",
            Self::InvitationAnswered => "invitation accepted or revoked already",
            Self::DomainAlreadyAdded => "domain added already",
            Self::RotationRaced => "the signing keys were rotated at the same moment elsewhere",
        })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailable(&err) {
            Self::Unavailable(err)
        } else {
            Self::Unexpected(err.into())
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(err: anyhow::Error) -> Self {
        match err.downcast::<sqlx::Error>() {
            Ok(sql) => sql.into(),
            Err(other) => Self::Unexpected(other),
        }
    }
}

impl From<askama::Error> for Error {
    fn from(err: askama::Error) -> Self {
        Self::Unexpected(err.into())
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(err: tokio::task::JoinError) -> Self {
        Self::Unexpected(err.into())
    }
}

/// Errors that say the database is down or out of reach, not that a query was wrong.
fn is_unavailable(err: &sqlx::Error) -> bool {
    matches!(
        err,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
    ) || matches!(err, sqlx::Error::Database(db) if db.code().is_some_and(|code| {
        // PostgreSQL: the server is shutting down or starting up.
        matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
    }))
}

/// Why settings typed into a form (an identity provider, a legacy store) were not saved: in
/// words for the form, or a failure of Usher's own.
#[derive(Debug)]
pub enum SetupError {
    Refused(String),
    Failed(Error),
}

impl<E: Into<Error>> From<E> for SetupError {
    fn from(err: E) -> Self {
        Self::Failed(err.into())
    }
}
