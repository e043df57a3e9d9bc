//! Secrets Usher must read back (its token signing keys; later the client secrets of
//! organizations' identity providers and the addresses of legacy stores), sealed at rest with
//! AES-256-GCM under a key derived from the deployment's secret key. Each sealed value is bound
//! to the row it belongs to (the associated data), so that it cannot be moved to another one.
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::secret_key::SecretKey;

/// The format's version, in front of every sealed value.
const PREFIX: &str = "v1.";
const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl Sealer {
    pub fn new(secret: &SecretKey) -> anyhow::Result<Self> {
        let key = secret.derive("usher sealed secrets v1")?;
        Ok(Self {
            cipher: Aes256Gcm::new(&key.into()),
        })
    }

    /// `plaintext` sealed for the place named `context` (such as `signing key <kid>`).
    pub fn seal(&self, plaintext: &[u8], context: &str) -> anyhow::Result<String> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), payload)
            .map_err(|_| anyhow::anyhow!("sealing failed"))?;
        Ok(format!(
            "{PREFIX}{}",
            URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat())
        ))
    }

    /// The plaintext of a value sealed for `context`; an error when it was sealed under another
    /// secret key, for another place, or altered.
    pub fn open(&self, sealed: &str, context: &str) -> anyhow::Result<Vec<u8>> {
        let Some(encoded) = sealed.strip_prefix(PREFIX) else {
            bail!("not a sealed value");
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .context("a sealed value is not base64")?;
        if bytes.len() < NONCE_LEN {
            bail!("a sealed value is too short");
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().context("a sealed value's nonce")?;
        let payload = Payload {
            msg: sealed,
            aad: context.as_bytes(),
        };
        self.cipher
            .decrypt(&Nonce::from(nonce), payload)
            .map_err(|_| {
                anyhow::anyhow!(
                    "a sealed value does not open: another secret key sealed it, or it was altered"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn sealer(secret: &str) -> Sealer {
        let mut settings = Settings::new(std::path::Path::new("/nonexistent"));
        settings.secret_key = Some(secret.to_owned().into());
        Sealer::new(&SecretKey::load(&settings).unwrap()).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_place_under_its_key() {
        let one = sealer("one secret key, at least thirty-two bytes");
        let sealed = one.seal(b"private key", "signing key a").unwrap();
        assert!(!sealed.contains("private"));
        assert_eq!(one.open(&sealed, "signing key a").unwrap(), b"private key");
        assert!(one.open(&sealed, "signing key b").is_err(), "another row");
        let other = sealer("another secret key, at least thirty-two bytes");
        assert!(other.open(&sealed, "signing key a").is_err(), "another key");
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(one.open(&altered, "signing key a").is_err(), "altered");
        assert_ne!(
            one.seal(b"x", "c").unwrap(),
            one.seal(b"x", "c").unwrap(),
            "fresh nonces"
        );
    }
}
