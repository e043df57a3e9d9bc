//! Connections: where users' credentials live (Auth0's model).
use std::fmt;

use super::ConnectionId;

/// What kind of credential store a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionKind {
    /// Usher's own password store.
    Password,
    /// An organization's enterprise identity provider.
    Oidc,
    /// An existing identity store that users are migrated from or checked against.
    Legacy,
}

impl ConnectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Oidc => "oidc",
            Self::Legacy => "legacy",
        }
    }

    /// The kind stored as `value`; `None` for a value this version does not know.
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Password, Self::Oidc, Self::Legacy]
            .into_iter()
            .find(|kind| kind.as_str() == value)
    }
}

impl fmt::Display for ConnectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub id: ConnectionId,
    pub name: String,
    pub kind: ConnectionKind,
}
