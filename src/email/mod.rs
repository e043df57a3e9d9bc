//! Email: messages rendered from templates, queued in the outbox table inside the caller's
//! transaction, and delivered by a background worker (SMTP or the dev outbox).
pub mod messages;
pub mod transport;
pub mod worker;

use std::sync::Arc;

use sqlx::{Any, Executor};
use tokio::sync::Notify;

use crate::domain::Email;
use crate::store::outbox::{self, OutboxInsertForm};
pub use messages::Mail;

/// The way into the outbox, shared by every request of this instance.
#[derive(Clone, Default)]
pub struct MailQueue {
    wake: Arc<Notify>,
}

impl MailQueue {
    /// Renders `mail` and queues it for `to` in the caller's transaction: if that transaction
    /// rolls back, no email goes out; once it commits, the email is not lost.
    pub async fn enqueue<'c, E>(&self, db: E, to: &Email, mail: &impl Mail) -> anyhow::Result<()>
    where
        E: Executor<'c, Database = Any>,
    {
        let rendered = mail.render()?;
        outbox::insert(
            db,
            OutboxInsertForm {
                recipient: to.as_str(),
                subject: &rendered.subject,
                text_body: &rendered.text,
                html_body: &rendered.html,
            },
        )
        .await?;
        Ok(())
    }

    /// Tells this instance's worker that a committed message is waiting.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.wake.notified()
    }
}
