//! Reading the mail Usher sends: the dev outbox's `.eml` files, and the outbox table for what
//! was queued (a "nothing was sent" check must read the table: the files arrive later).
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{TestApp, eventually};

/// An email as read back from the outbox folder.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl Mail {
    /// The first link in the text part that goes to `path`.
    pub fn link_to(&self, path: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(path))
            .unwrap_or_else(|| panic!("no link to {path} in {:?}", self.text))
            .to_owned()
    }
}

/// Parses an RFC 5322 message as Usher writes it (multipart/alternative, quoted-printable).
pub fn parse_eml(raw: &str) -> Mail {
    let raw = raw.replace("\r\n", "\n");
    let header = |name: &str| {
        raw.lines()
            .find(|l| {
                l.to_lowercase()
                    .starts_with(&format!("{}: ", name.to_lowercase()))
            })
            .map(|l| l[name.len() + 2..].trim().to_owned())
            .unwrap_or_default()
    };
    // Parts end at the MIME boundary line; a body line may well start with "--" itself.
    let boundary = raw
        .split("boundary=\"")
        .nth(1)
        .and_then(|b| b.split('"').next())
        .expect("no MIME boundary");
    let text_start = raw.find("Content-Type: text/plain").expect("no text part");
    let body_start = raw[text_start..].find("\n\n").expect("no body") + text_start + 2;
    let body_end = raw[body_start..]
        .find(&format!("\n--{boundary}"))
        .map_or(raw.len(), |i| i + body_start);
    Mail {
        to: header("To"),
        subject: header("Subject"),
        text: decode_quoted_printable(&raw[body_start..body_end]),
    }
}

fn decode_quoted_printable(s: &str) -> String {
    let joined = s.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=' && i + 2 < bytes.len())
            .then(|| u8::from_str_radix(&joined[i + 1..i + 3], 16).ok())
            .flatten();
        if let Some(b) = escaped {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn read_mail_dir(dir: &Path) -> Vec<Mail> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|raw| parse_eml(&raw))
        .collect()
}

impl TestApp {
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.path().join("mail")
    }

    /// Every email sent to `to` so far, oldest first.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        read_mail_dir(&self.mail_dir())
            .into_iter()
            .filter(|m| m.to == to)
            .collect()
    }

    /// Waits for the `n`th (1-based) email to `to`.
    pub async fn nth_mail_to(&self, to: &str, n: usize) -> Mail {
        eventually(
            Duration::from_secs(10),
            &format!("email #{n} to {to}"),
            || async { self.mails_to(to).get(n - 1).cloned() },
        )
        .await
    }

    pub async fn last_mail_with_subject(&self, to: &str, subject: &str) -> Mail {
        eventually(
            Duration::from_secs(10),
            &format!("'{subject}' to {to}"),
            || async {
                self.mails_to(to)
                    .into_iter()
                    .rev()
                    .find(|m| m.subject.contains(subject))
            },
        )
        .await
    }

    /// With the dev outbox, waits for the email a form just queued for `typed` (as typed).
    pub(super) async fn await_mail(&self, typed: &str, seen: usize) {
        if self.mail_dir().exists() {
            self.next_mail_to(&typed.trim().to_lowercase(), seen).await;
        }
    }

    /// Waits for one more email to `to` than `seen`, and returns it.
    pub async fn next_mail_to(&self, to: &str, seen: usize) -> Mail {
        self.nth_mail_to(to, seen + 1).await
    }

    /// How many emails to `to` were queued (sent or not): the outbox table knows at once.
    pub async fn queued_to(&self, to: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
            .bind(to.to_owned())
            .fetch_one(self.store.pool())
            .await
            .expect("count outbox")
    }
}
