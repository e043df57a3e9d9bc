//! Password hashing with argon2id, off the async threads and bounded to the core count so
//! a burst of sign-ins queues for CPU instead of starving the page handlers.
use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::domain::NewPassword;
use crate::telemetry::spawn_blocking_with_span;

/// OWASP's argon2id setting: 19 MiB, 2 passes, 1 lane.
fn argon2() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19_456, 2, 1, None).context("invalid argon2 parameters")?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// Checked when the account does not exist, so that the answer takes as long.
    dummy_hash: Arc<str>,
}

impl Passwords {
    /// Prepares a hasher that runs at most `parallelism` hashes at once.
    pub fn new(parallelism: usize) -> anyhow::Result<Self> {
        let dummy_hash = hash_blocking("usher dummy password for unknown accounts")?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(parallelism.max(1))),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// One hash slot per core the process may use.
    pub fn for_this_machine() -> anyhow::Result<Self> {
        Self::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: &NewPassword) -> anyhow::Result<String> {
        let password = password.secret().clone();
        self.run(move || hash_blocking(password.expose_secret()))
            .await?
    }

    /// Checks `password` against `stored`; with no stored hash (unknown account or an account
    /// without a password) it checks the dummy hash and answers false, taking the same time.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy_hash).to_owned();
        let password = SecretString::from(password);
        let matches = self
            .run(move || {
                let parsed =
                    PasswordHash::new(&stored).context("stored password hash is malformed")?;
                let argon2 = argon2()?;
                anyhow::Ok(
                    argon2
                        .verify_password(password.expose_secret().as_bytes(), &parsed)
                        .is_ok(),
                )
            })
            .await??;
        Ok(known && matches)
    }

    /// Runs `job` on the blocking pool once a slot is free. The slot is given back the moment
    /// the job ends, on the blocking thread, not when this request's task is next polled.
    async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce() -> R + Send + 'static,
    ) -> anyhow::Result<R> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .context("hasher closed")?;
        Ok(spawn_blocking_with_span(move || {
            let result = job();
            drop(permit);
            result
        })
        .await?)
    }
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    argon2()?
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| anyhow::anyhow!("argon2 hashing failed: {err}"))
}

/// Hashes `password` on the calling thread; for benchmarks measuring the raw hash rate.
pub fn hash_once(password: &str) -> anyhow::Result<String> {
    hash_blocking(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let passwords = Passwords::new(2).unwrap();
        let password =
            NewPassword::parse("correct horse battery staple", &[], Default::default()).unwrap();
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
}
