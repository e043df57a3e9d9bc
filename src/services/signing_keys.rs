//! The keys Usher signs tokens with: the first made when the deployment first starts, a new
//! one on each rotation, published in the JWKS before it signs and until every token it signed
//! has expired. Every instance reads them from the database, so all sign alike.
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use openidconnect::core::{CoreJsonWebKey, CoreRsaPrivateSigningKey};

use crate::domain::signing_key::{
    OUTLIVE_SECS, PUBLISH_AHEAD_SECS, SigningAlgorithm, StoredSigningKey, seal_context,
};
use crate::sealing::Sealer;
use crate::services::{Error, Result};
use crate::signing;
use crate::store::{Store, now, signing_keys};

/// Makes the first key when there is none. Two instances starting together make one: the
/// other's insert loses on the generation.
pub async fn ensure_first(store: &Store, sealer: &Sealer) -> Result<()> {
    if signing_keys::newest(store.pool()).await?.is_some() {
        return Ok(());
    }
    // Nobody can have cached a JWKS without it: it signs at once.
    let key = new_key(sealer, 1, now()).await?;
    signing_keys::insert(store.pool(), &key).await?;
    Ok(())
}

/// Adds the next key: published now, signing from `PUBLISH_AHEAD_SECS` on. The keys it
/// replaces stay published until `OUTLIVE_SECS` after that. Returns the new key.
pub async fn rotate(store: &Store, sealer: &Sealer) -> Result<StoredSigningKey> {
    let generation = match signing_keys::newest(store.pool()).await? {
        Some(newest) => newest.generation + 1,
        None => 1,
    };
    let signs_from = if generation == 1 {
        now()
    } else {
        now() + PUBLISH_AHEAD_SECS
    };
    let key = new_key(sealer, generation, signs_from).await?;
    let mut tx = store.begin().await?;
    if !signing_keys::insert(&mut *tx, &key).await? {
        return Err(Error::Conflict(crate::services::Conflict::RotationRaced));
    }
    signing_keys::withdraw_older(&mut *tx, generation, signs_from + OUTLIVE_SECS).await?;
    tx.commit().await?;
    Ok(key)
}

/// Rotates when the newest key has signed for `secs` (the scheduled rotation); the new key,
/// or `None` when it is not yet time or another instance rotated at the same moment.
pub async fn rotate_when_older(
    store: &Store,
    sealer: &Sealer,
    secs: i64,
) -> Result<Option<StoredSigningKey>> {
    let due = match signing_keys::newest(store.pool()).await? {
        Some(newest) => newest.signs_from + secs <= now(),
        // The first key is made at start-up, not by the schedule.
        None => false,
    };
    if !due {
        return Ok(None);
    }
    match rotate(store, sealer).await {
        Ok(key) => Ok(Some(key)),
        Err(Error::Conflict(crate::services::Conflict::RotationRaced)) => Ok(None),
        Err(err) => Err(err),
    }
}

/// The published keys' public JWKs, newest first.
pub async fn published_jwks(store: &Store) -> Result<Vec<serde_json::Value>> {
    Ok(signing_keys::published(store.pool())
        .await?
        .into_iter()
        .map(|key| key.public_jwk)
        .collect())
}

/// The key that signs now, opened.
pub async fn signer(store: &Store, sealer: &Sealer) -> Result<CoreRsaPrivateSigningKey> {
    let key = match signing_keys::signing_now(store.pool()).await? {
        Some(key) => key,
        // A token asked for before the first key was made at start-up: make it now.
        None => {
            ensure_first(store, sealer).await?;
            signing_keys::signing_now(store.pool())
                .await?
                .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("no signing key signs yet")))?
        }
    };
    let pem = sealer.open(&key.sealed_private_key, &seal_context(&key.kid))?;
    let pem = String::from_utf8(pem)
        .map_err(|_| Error::Unexpected(anyhow::anyhow!("a signing key is not UTF-8")))?;
    Ok(signing::rsa_signer(&pem, &key.kid)?)
}

async fn new_key(sealer: &Sealer, generation: i64, signs_from: i64) -> Result<StoredSigningKey> {
    let pem = tokio::task::spawn_blocking(signing::generate_rsa_pem).await??;
    let kid = uuid::Uuid::now_v7().simple().to_string();
    let algorithm = SigningAlgorithm::Rs256;
    Ok(StoredSigningKey {
        public_jwk: signing::public_jwk(&pem, &kid, algorithm.as_str())?,
        sealed_private_key: sealer.seal(pem.as_bytes(), &seal_context(&kid))?,
        kid,
        generation,
        algorithm,
        signs_from,
        published_until: None,
    })
}

/// How long an instance signs with the keys it read before reading them again. A rotation's
/// new key signs an hour after it is published, so every instance has it by then.
const KEY_CACHE_SECS: u64 = 60;

/// The keys as one instance holds them: the one that signs now, opened, and the published
/// ones that verify.
pub struct Keys {
    pub signer: CoreRsaPrivateSigningKey,
    pub verifiers: Vec<CoreJsonWebKey>,
    loaded_at: Instant,
}

/// The instance's cache of `Keys`: opening a sealed RSA key on every token would cost more
/// than signing with it.
#[derive(Clone, Default)]
pub struct KeyRing {
    cached: Arc<RwLock<Option<Arc<Keys>>>>,
}

impl KeyRing {
    pub async fn current(&self, store: &Store, sealer: &Sealer) -> Result<Arc<Keys>> {
        let fresh = Duration::from_secs(KEY_CACHE_SECS);
        if let Ok(cached) = self.cached.read()
            && let Some(keys) = cached.as_ref()
            && keys.loaded_at.elapsed() < fresh
        {
            return Ok(keys.clone());
        }
        // The signer first: it makes the first key if start-up has not yet.
        let signer = signer(store, sealer).await?;
        let verifiers = published_jwks(store)
            .await?
            .into_iter()
            .filter_map(|jwk| serde_json::from_value(jwk).ok())
            .collect();
        let keys = Arc::new(Keys {
            signer,
            verifiers,
            loaded_at: Instant::now(),
        });
        if let Ok(mut cached) = self.cached.write() {
            *cached = Some(keys.clone());
        }
        Ok(keys)
    }

    /// Forgets the cached keys (after a rotation on this instance).
    pub fn clear(&self) {
        if let Ok(mut cached) = self.cached.write() {
            *cached = None;
        }
    }
}
