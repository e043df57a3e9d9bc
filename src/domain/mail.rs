//! Mail as the dev outbox lists it, and the mail queue's health as the operator sees it.

/// A message Usher queued, with its text part.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    /// Unix seconds.
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// The unsent part of the mail queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailHealth {
    /// Waiting to be sent, including those being retried.
    pub queued: i64,
    /// Waiting after at least one failed attempt.
    pub failing: i64,
    /// No longer tried: too many attempts failed.
    pub given_up: i64,
    /// The error of the failing message tried last.
    pub last_error: Option<String>,
}
