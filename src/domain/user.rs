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
