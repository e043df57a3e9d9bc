//! Email: messages rendered from templates, queued in the outbox table inside the caller's
//! transaction, and delivered by the job runner (`crate::worker::mail`) over SMTP or to the
//! dev outbox.
pub mod messages;
pub mod transport;

use std::sync::Arc;

use sqlx::{Acquire, Any};
use tokio::sync::Notify;

use crate::domain::Email;
use crate::store;
use crate::store::outbox::{self, OutboxInsertForm};
use crate::worker::{self, Job, mail::DeliverMail};
pub use messages::Mail;

/// The way into the outbox, shared by every request of this instance.
#[derive(Clone, Default)]
pub struct MailQueue {
    wake: Arc<Notify>,
}

impl MailQueue {
    /// Renders `mail` and queues it for `to` in the caller's transaction: if that transaction
    /// rolls back, no email goes out; once it commits, the email is not lost. Its delivery job
    /// commits with it, so it goes out even if this instance stops before waking its runner.
    pub async fn enqueue<'c, A>(&self, db: A, to: &Email, mail: &impl Mail) -> anyhow::Result<()>
    where
        A: Acquire<'c, Database = Any>,
    {
        let rendered = mail.render()?;
        // A savepoint inside the caller's transaction: the message and its job, or neither.
        let mut tx = db.begin().await?;
        outbox::insert(
            &mut *tx,
            OutboxInsertForm {
                recipient: to.as_str(),
                subject: &rendered.subject,
                text_body: &rendered.text,
                html_body: &rendered.html,
            },
        )
        .await?;
        worker::enqueue(&mut *tx, &Job::DeliverMail(DeliverMail {}), store::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tells this instance's job runner that a committed message is waiting.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.wake.notified()
    }
}
