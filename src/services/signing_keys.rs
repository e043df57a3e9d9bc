//! The keys Usher signs tokens with, one for each algorithm: the first made when the
//! deployment first starts, new ones on each rotation, published in the JWKS before they sign
//! and until every token they signed has expired. Every instance reads them from the database, so all sign alike.
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use openidconnect::core::CoreJsonWebKey;

use crate::domain::signing_key::{
    OUTLIVE_SECS, PUBLISH_AHEAD_SECS, SigningAlgorithm, StoredSigningKey, seal_context,
};
use crate::sealing::Sealer;
use crate::services::{Error, Result};
use crate::signing::{self, Signer};
use crate::store::{Store, now, signing_keys};

/// Makes the first key of each algorithm that has none, in one transaction (a JWKS shows all
/// of them or none). Two instances starting together make one of each: the other's inserts
/// lose on the generation.
pub async fn ensure_first(store: &Store, sealer: &Sealer) -> Result<()> {
    // A deployment older than ES256 joins its key to the current generation, which the next
    // rotation replaces whole.
    let generation = match signing_keys::newest(store.pool(), SigningAlgorithm::Rs256).await? {
        Some(newest) => newest.generation,
        None => 1,
    };
    let mut missing = Vec::new();
    for algorithm in SigningAlgorithm::ALL {
        if signing_keys::newest(store.pool(), algorithm)
            .await?
            .is_none()
        {
            // Nobody can have cached a JWKS with a key of this algorithm: it signs at once.
            missing.push(new_key(sealer, algorithm, generation, now()).await?);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    for key in &missing {
        signing_keys::insert(&mut *tx, key).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Adds the next generation, a key of each algorithm: published now, signing from
/// `PUBLISH_AHEAD_SECS` on. The keys it replaces stay published until `OUTLIVE_SECS` after
/// that. Returns the new keys.
pub async fn rotate(store: &Store, sealer: &Sealer) -> Result<Vec<StoredSigningKey>> {
    let generation = match signing_keys::newest(store.pool(), SigningAlgorithm::Rs256).await? {
        Some(newest) => newest.generation + 1,
        None => 1,
    };
    let signs_from = if generation == 1 {
        now()
    } else {
        now() + PUBLISH_AHEAD_SECS
    };
    let mut keys = Vec::new();
    for algorithm in SigningAlgorithm::ALL {
        keys.push(new_key(sealer, algorithm, generation, signs_from).await?);
    }
    let mut tx = store.begin().await?;
    for key in &keys {
        if !signing_keys::insert(&mut *tx, key).await? {
            return Err(Error::Conflict(crate::services::Conflict::RotationRaced));
        }
    }
    signing_keys::withdraw_older(&mut *tx, generation, signs_from + OUTLIVE_SECS).await?;
    tx.commit().await?;
    Ok(keys)
}

/// Rotates when the newest keys have signed for `secs` (the scheduled rotation); the new keys,
/// or `None` when it is not yet time or another instance rotated at the same moment.
pub async fn rotate_when_older(
    store: &Store,
    sealer: &Sealer,
    secs: i64,
) -> Result<Option<Vec<StoredSigningKey>>> {
    let due = match signing_keys::newest(store.pool(), SigningAlgorithm::Rs256).await? {
        Some(newest) => newest.signs_from + secs <= now(),
        // The first key is made at start-up, not by the schedule.
        None => false,
    };
    if !due {
        return Ok(None);
    }
    match rotate(store, sealer).await {
        Ok(keys) => Ok(Some(keys)),
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

/// The key of `algorithm` that signs now, opened.
pub async fn signer(store: &Store, sealer: &Sealer, algorithm: SigningAlgorithm) -> Result<Signer> {
    let key = match signing_keys::signing_now(store.pool(), algorithm).await? {
        Some(key) => key,
        // A token asked for before the first keys were made at start-up: make them now.
        None => {
            ensure_first(store, sealer).await?;
            signing_keys::signing_now(store.pool(), algorithm)
                .await?
                .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("no {algorithm} key signs yet")))?
        }
    };
    let pem = sealer.open(&key.sealed_private_key, &seal_context(&key.kid))?;
    let pem = String::from_utf8(pem)
        .map_err(|_| Error::Unexpected(anyhow::anyhow!("a signing key is not UTF-8")))?;
    Ok(Signer::open(&pem, &key.kid, algorithm, &key.public_jwk)?)
}

async fn new_key(
    sealer: &Sealer,
    algorithm: SigningAlgorithm,
    generation: i64,
    signs_from: i64,
) -> Result<StoredSigningKey> {
    let pem = tokio::task::spawn_blocking(move || signing::generate_pem(algorithm)).await??;
    let kid = uuid::Uuid::now_v7().simple().to_string();
    Ok(StoredSigningKey {
        public_jwk: signing::public_jwk(&pem, &kid, algorithm)?,
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

/// The keys as one instance holds them: the ones that sign now, opened, and the published
/// ones that verify.
pub struct Keys {
    signers: Vec<Signer>,
    pub verifiers: Vec<CoreJsonWebKey>,
    loaded_at: Instant,
}

impl Keys {
    /// The key that signs with `algorithm` now.
    pub fn signer(&self, algorithm: SigningAlgorithm) -> Result<&Signer> {
        self.signers
            .iter()
            .find(|signer| signer.algorithm == algorithm)
            .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("no {algorithm} key is open")))
    }
}

/// The instance's cache of `Keys`: opening a sealed key on every token would cost more than
/// signing with it.
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
        // The signers first: they make the first keys if start-up has not yet.
        let mut signers = Vec::new();
        for algorithm in SigningAlgorithm::ALL {
            signers.push(signer(store, sealer, algorithm).await?);
        }
        let verifiers = published_jwks(store)
            .await?
            .into_iter()
            .filter_map(|jwk| serde_json::from_value(jwk).ok())
            .collect();
        let keys = Arc::new(Keys {
            signers,
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
