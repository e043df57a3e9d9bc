//! Hashing and checking passwords off the async threads, bounded to the core count so that a
//! burst of sign-ins queues for CPU instead of starving the page handlers.
use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use super::argon2id::{self, Memory};
use super::hash::PasswordHash;
use crate::domain::NewPassword;
use crate::telemetry::spawn_blocking_with_span;

/// What checking a password against an account found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The password is right. `needs_rehash` when the stored hash is of an older kind or
    /// weaker settings, and should be replaced by `Passwords::hash` of the same password.
    Matches { needs_rehash: bool },
    /// A wrong password, an unknown account, or an account without a password.
    DoesNotMatch,
}

impl Verdict {
    pub fn matches(self) -> bool {
        matches!(self, Verdict::Matches { .. })
    }
}

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// argon2's working memory, one per permit at most, kept for the life of the server. It
    /// is kept here rather than by each blocking thread because tokio starts blocking threads
    /// as it likes and ends them after ten idle seconds: memory per thread would be more than
    /// needed under load and gone again after a quiet moment.
    memory: Arc<Mutex<Vec<Memory>>>,
    /// Checked when the account does not exist, so that the answer takes as long.
    dummy_hash: Arc<PasswordHash>,
}

impl Passwords {
    /// Prepares a hasher that runs at most `parallelism` hashes at once.
    pub fn new(parallelism: usize) -> anyhow::Result<Self> {
        let mut memory = Memory::default();
        let dummy = argon2id::hash(b"usher dummy password for unknown accounts", &mut memory)?;
        let dummy_hash = PasswordHash::parse(&dummy).context("the dummy hash does not parse")?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(parallelism.max(1))),
            memory: Arc::new(Mutex::new(vec![memory])),
            dummy_hash: Arc::new(dummy_hash),
        })
    }

    /// One hash slot per core the process may use.
    pub fn for_this_machine() -> anyhow::Result<Self> {
        Self::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: &NewPassword) -> anyhow::Result<String> {
        let password = password.secret().clone();
        self.run(move |memory| argon2id::hash(password.expose_secret().as_bytes(), memory))
            .await?
    }

    /// Hashes a password that just matched a hash of an older kind, to replace it: the
    /// password was checked, not chosen now, so the rules for new passwords do not apply.
    pub async fn rehash(&self, password: &str) -> anyhow::Result<String> {
        let password = SecretString::from(password);
        self.run(move |memory| argon2id::hash(password.expose_secret().as_bytes(), memory))
            .await?
    }

    /// Checks `password` against `stored`; with no stored hash (unknown account or an account
    /// without a password) it checks the dummy hash and answers false, taking the same time.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
        Ok(self.check(password, stored).await?.matches())
    }

    /// Like `verify`, and also tells whether a matching stored hash should be replaced. A
    /// stored string that is no hash Usher can read is an error, never a mismatch.
    pub async fn check(&self, password: &str, stored: Option<&str>) -> anyhow::Result<Verdict> {
        let hash = match stored {
            Some(stored) => Arc::new(PasswordHash::parse(stored)?),
            None => self.dummy_hash.clone(),
        };
        let known = stored.is_some();
        let password = SecretString::from(password);
        let matches = self
            .run({
                let hash = hash.clone();
                move |memory| hash.verify(password.expose_secret().as_bytes(), memory)
            })
            .await??;
        Ok(if known && matches {
            Verdict::Matches {
                needs_rehash: hash.needs_rehash(),
            }
        } else {
            Verdict::DoesNotMatch
        })
    }

    /// Runs `job` on the blocking pool once a slot is free, with a kept working memory. The
    /// slot and the memory are given back the moment the job ends, on the blocking thread, not
    /// when this request's task is next polled. Holding a permit guarantees a free memory or
    /// room for a new one, so there are never more memories than permits.
    async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Memory) -> R + Send + 'static,
    ) -> anyhow::Result<R> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .context("hasher closed")?;
        let kept = self.memory.clone();
        Ok(spawn_blocking_with_span(move || {
            let lock = || kept.lock().unwrap_or_else(PoisonError::into_inner);
            let mut memory = lock().pop().unwrap_or_default();
            let result = job(&mut memory);
            lock().push(memory);
            drop(permit);
            result
        })
        .await?)
    }
}

thread_local! {
    /// The working memory of `hash_once`, kept by each thread that calls it.
    static MEMORY: RefCell<Memory> = RefCell::new(Memory::default());
}

/// Hashes `password` on the calling thread; for benchmarks measuring the raw hash rate, and
/// tools seeding accounts. Each calling thread keeps its own working memory, as the server's
/// hashing slots do.
pub fn hash_once(password: &str) -> anyhow::Result<String> {
    MEMORY.with_borrow_mut(|memory| argon2id::hash(password.as_bytes(), memory))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_password(password: &str) -> NewPassword {
        NewPassword::parse(password, &[], Default::default()).unwrap()
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let passwords = Passwords::new(2).unwrap();
        let password = new_password("correct horse battery staple");
        let hash = passwords.hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            passwords
                .verify("correct horse battery staple", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("wrong horse battery staple", Some(&hash))
                .await
                .unwrap()
        );
        // Even the dummy password does not sign in to a missing account.
        let dummy = "usher dummy password for unknown accounts";
        assert!(!passwords.verify(dummy, None).await.unwrap());
    }

    #[tokio::test]
    async fn check_tells_when_a_matching_hash_should_be_replaced() {
        let passwords = Passwords::new(1).unwrap();
        let password = "correct horse battery staple";
        let current = passwords.hash(&new_password(password)).await.unwrap();
        let check = |stored: String| {
            let passwords = passwords.clone();
            async move { passwords.check(password, Some(&stored)).await.unwrap() }
        };
        assert_eq!(
            check(current).await,
            Verdict::Matches {
                needs_rehash: false
            }
        );
        // From the reference implementation, with 4 MiB instead of 19.
        let cheap = "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$\
                     wyCDnyqtf4jfXqRB9zffoQ1NL9/K5K8LyDZY031hXpY";
        assert_eq!(
            check(cheap.to_owned()).await,
            Verdict::Matches { needs_rehash: true }
        );
        let wrong = passwords.check("wrong", Some(cheap)).await.unwrap();
        assert_eq!(wrong, Verdict::DoesNotMatch);
    }

    #[tokio::test]
    async fn an_unreadable_stored_hash_is_an_error() {
        let passwords = Passwords::new(1).unwrap();
        for stored in [
            "",
            "plain text",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ",
        ] {
            assert!(passwords.verify("anything", Some(stored)).await.is_err());
        }
    }

    #[tokio::test]
    async fn keeps_no_more_working_memories_than_slots() {
        let passwords = Passwords::new(2).unwrap();
        let jobs: Vec<_> = (0..6)
            .map(|_| {
                let passwords = passwords.clone();
                tokio::spawn(async move { passwords.verify("guess", None).await.unwrap() })
            })
            .collect();
        for job in jobs {
            assert!(!job.await.unwrap());
        }
        let kept = passwords.memory.lock().unwrap().len();
        assert!((1..=2).contains(&kept), "{kept} memories kept");
    }

    #[test]
    fn hash_once_writes_what_the_server_verifies() {
        let hash = hash_once("correct horse battery staple").unwrap();
        let parsed = PasswordHash::parse(&hash).unwrap();
        assert!(!parsed.needs_rehash());
        let mut memory = Memory::default();
        assert!(
            parsed
                .verify(b"correct horse battery staple", &mut memory)
                .unwrap()
        );
    }
}
