//! A user account as read from storage.
use super::{ConnectionId, DisplayName, Email, UserId};

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub connection_id: ConnectionId,
    pub email: Email,
    pub name: DisplayName,
    pub password_hash: Option<String>,
    pub email_verified: bool,
    pub is_operator: bool,
    pub blocked: bool,
}

/// One row of the operator's user list.
#[derive(Debug, Clone)]
pub struct UserSummary {
    pub id: UserId,
    pub email: Email,
    pub name: DisplayName,
    pub connection_name: String,
    pub email_verified: bool,
    pub blocked: bool,
    /// Unix seconds.
    pub created_at: i64,
}
