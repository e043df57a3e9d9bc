//! Typed ids: UUIDv7 stored as text, so a user id is never passed where an org id is meant.
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            /// Wraps an id read back from storage or a session.
            pub fn from_stored(id: String) -> Self {
                Self(id)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// Identifies a user (one account in one connection).
    UserId
);
id_type!(
    /// Identifies a connection: where a user's credentials live.
    ConnectionId
);

id_type!(
    /// Identifies an organization.
    OrganizationId
);

id_type!(
    /// Identifies a domain an organization claims.
    DomainId
);

impl ConnectionId {
    /// The shared password connection created by the first migration.
    pub fn default_password() -> Self {
        Self("00000000-0000-7000-8000-000000000001".into())
    }
}
