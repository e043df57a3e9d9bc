//! Mail as the dev outbox lists it.

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
