//! actix-session storage in Usher's database, so every instance sees every session.
use actix_session::storage::{
    LoadError, SaveError, SessionKey, SessionStore, UpdateError, generate_session_key,
};
use actix_web::cookie::time::Duration;
use std::collections::HashMap;

use super::{Store, sessions};
use crate::domain::UserId;
use crate::domain::token::hex_sha256;

type SessionState = HashMap<String, String>;

#[derive(Clone)]
pub struct DbSessionStore {
    store: Store,
    /// The session fields that name the signed-in user and the sign-in.
    user_key: &'static str,
    sid_key: &'static str,
}

impl DbSessionStore {
    pub fn new(store: Store, user_key: &'static str, sid_key: &'static str) -> Self {
        Self {
            store,
            user_key,
            sid_key,
        }
    }

    fn field(state: &SessionState, key: &str) -> Option<String> {
        state
            .get(key)
            .and_then(|json| serde_json::from_str::<String>(json).ok())
    }
}

/// The user id and the sign-in id are kept in columns of their own, so that all of a user's
/// sessions, or the one of a sign-in, can be ended.
struct Owned {
    user_id: Option<UserId>,
    sid: Option<String>,
}

impl Owned {
    fn of(store: &DbSessionStore, state: &SessionState) -> Self {
        Self {
            user_id: DbSessionStore::field(state, store.user_key).map(UserId::from_stored),
            sid: DbSessionStore::field(state, store.sid_key),
        }
    }

    fn owner(&self) -> sessions::Owner<'_> {
        sessions::Owner {
            user_id: self.user_id.as_ref(),
            sid: self.sid.as_deref(),
        }
    }
}

/// The database keeps only a hash of the cookie's key: a leaked table cannot be replayed.
fn key_hash(key: &SessionKey) -> String {
    hex_sha256(key.as_ref().as_bytes())
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
        let state = sessions::load(self.store.pool(), &key_hash(key))
            .await
            .map_err(|err| LoadError::Other(err.into()))?;
        state
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|err| LoadError::Deserialization(err.into()))
    }

    async fn save(&self, state: SessionState, ttl: &Duration) -> Result<SessionKey, SaveError> {
        let key = generate_session_key();
        let json =
            serde_json::to_string(&state).map_err(|err| SaveError::Serialization(err.into()))?;
        let (pool, hash) = (self.store.pool(), key_hash(&key));
        let owned = Owned::of(self, &state);
        sessions::insert(pool, &hash, owned.owner(), &json, ttl.whole_seconds())
            .await
            .map_err(|err| SaveError::Other(err.into()))?;
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        state: SessionState,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let json =
            serde_json::to_string(&state).map_err(|err| UpdateError::Serialization(err.into()))?;
        let (pool, hash) = (self.store.pool(), key_hash(&key));
        let owned = Owned::of(self, &state);
        sessions::update(pool, &hash, owned.owner(), &json, ttl.whole_seconds())
            .await
            .map_err(|err| UpdateError::Other(err.into()))?;
        Ok(key)
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        sessions::touch(self.store.pool(), &key_hash(key), ttl.whole_seconds()).await?;
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        sessions::delete(self.store.pool(), &key_hash(key)).await?;
        Ok(())
    }
}
