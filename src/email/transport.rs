//! Where queued mail goes: an SMTP server, or `.eml` files in the dev outbox.
use std::path::PathBuf;

use anyhow::{Context, bail};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use percent_encoding::percent_decode_str;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::private_files;
use crate::store::outbox::OutboxMessage;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Development: each message is written as an RFC 5322 file into this folder.
    DevOutbox(PathBuf),
}

impl Transport {
    /// SMTP when a URL is configured, the dev outbox folder otherwise.
    pub fn new(smtp_url: Option<&SecretString>, dev_outbox: PathBuf) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => Ok(Self::Smtp(smtp_from_url(url.expose_secret())?)),
            None => {
                private_files::create_dir(&dev_outbox).with_context(|| {
                    format!("cannot create the dev mail folder {}", dev_outbox.display())
                })?;
                Ok(Self::DevOutbox(dev_outbox))
            }
        }
    }

    pub async fn send(&self, from: &Mailbox, message: &OutboxMessage) -> anyhow::Result<()> {
        let email = Message::builder()
            .from(from.clone())
            .to(message
                .recipient
                .parse()
                .context("invalid recipient address")?)
            .subject(&message.subject)
            .multipart(MultiPart::alternative_plain_html(
                message.text_body.clone(),
                message.html_body.clone(),
            ))?;
        match self {
            Self::Smtp(smtp) => {
                smtp.send(email).await.context("SMTP delivery failed")?;
            }
            Self::DevOutbox(dir) => {
                // Written to a temporary name first, so a reader never sees half a message.
                let name = format!("{}-{}.eml", message.created_at, message.id);
                // Readable by Usher's user only: the messages hold live links.
                let partial = dir.join(format!(".{name}.part"));
                let formatted = email.formatted();
                let path = partial.clone();
                tokio::task::spawn_blocking(move || private_files::create_file(&path, &formatted))
                    .await??;
                tokio::fs::rename(&partial, dir.join(name)).await?;
            }
        }
        Ok(())
    }
}

/// `smtp://host[:port]` is plain SMTP (a local relay); `smtp://user:pass@host[:port]` uses
/// STARTTLS and authenticates; `smtps://` uses TLS from the first byte.
fn smtp_from_url(raw: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let url = Url::parse(raw).context("USHER_SMTP_URL is not a valid URL")?;
    let host = url.host_str().context("USHER_SMTP_URL has no host")?;
    let credentials = (!url.username().is_empty()).then(|| {
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        Credentials::new(
            decode(url.username()),
            decode(url.password().unwrap_or_default()),
        )
    });
    let builder = match (url.scheme(), credentials) {
        ("smtp", None) => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(url.port().unwrap_or(25)),
        ("smtp", Some(credentials)) => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?
            .port(url.port().unwrap_or(587))
            .credentials(credentials),
        ("smtps", credentials) => {
            let builder =
                AsyncSmtpTransport::<Tokio1Executor>::relay(host)?.port(url.port().unwrap_or(465));
            match credentials {
                Some(credentials) => builder.credentials(credentials),
                None => builder,
            }
        }
        (scheme, _) => bail!("USHER_SMTP_URL must start with smtp:// or smtps://, not {scheme}://"),
    };
    Ok(builder.build())
}
