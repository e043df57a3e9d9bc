//! The deployment's secret key (USHER_SECRET_KEY, or generated once into the data dir), and the
//! keys derived from it for each purpose, so that no two purposes ever share a key.
use std::path::Path;

use actix_web::cookie::Key;
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;

use crate::config::Settings;
use crate::private_files;

pub struct SecretKey {
    material: Vec<u8>,
}

impl SecretKey {
    /// The configured key, or the one generated into the data dir at the first start (so that
    /// restarts keep sessions valid).
    pub fn load(settings: &Settings) -> anyhow::Result<Self> {
        let material = match &settings.secret_key {
            Some(secret) => secret.expose_secret().as_bytes().to_vec(),
            None => load_or_create(&settings.data_dir.join("secret.key"))?,
        };
        if material.len() < 32 {
            bail!("USHER_SECRET_KEY must be at least 32 characters long");
        }
        Ok(Self { material })
    }

    /// Signs and encrypts the session cookie.
    pub fn cookie_key(&self) -> Key {
        Key::derive_from(&self.material)
    }

    /// A 256-bit key for one purpose: HMAC-SHA-256 of the purpose's name under the secret.
    pub fn derive(&self, purpose: &str) -> anyhow::Result<[u8; 32]> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.material)
            .map_err(|_| anyhow::anyhow!("the secret key cannot key HMAC"))?;
        mac.update(purpose.as_bytes());
        Ok(mac.finalize().into_bytes().into())
    }
}

fn load_or_create(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        return STANDARD
            .decode(existing.trim())
            .with_context(|| format!("{} is not valid base64", path.display()));
    }
    if let Some(dir) = path.parent() {
        private_files::create_dir(dir)?;
    }
    let secret: [u8; 64] = rand::random();
    private_files::create_file(path, STANDARD.encode(secret).as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(secret.to_vec())
}
