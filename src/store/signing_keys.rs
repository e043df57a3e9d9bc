//! Token signing keys: added by generation, published until they are withdrawn.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::signing_key::{SigningAlgorithm, StoredSigningKey};

#[derive(FromRow)]
struct KeyRow {
    kid: String,
    generation: i64,
    algorithm: String,
    private_key: String,
    public_jwk: String,
    signs_from: i64,
    published_until: Option<i64>,
}

impl TryFrom<KeyRow> for StoredSigningKey {
    type Error = sqlx::Error;

    fn try_from(row: KeyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            algorithm: SigningAlgorithm::parse(&row.algorithm)
                .ok_or_else(|| unknown_value("signing algorithm", &row.algorithm))?,
            public_jwk: serde_json::from_str(&row.public_jwk)
                .map_err(|err| sqlx::Error::Decode(err.into()))?,
            kid: row.kid,
            generation: row.generation,
            sealed_private_key: row.private_key,
            signs_from: row.signs_from,
            published_until: row.published_until,
        })
    }
}

/// The query a `KeyRow` is read from, as a literal for `concat!`.
macro_rules! select_keys {
    () => {
        "SELECT kid, generation, algorithm, private_key, public_jwk, signs_from, published_until
         FROM signing_keys"
    };
}

/// Adds a key unless its algorithm's key of that generation exists already (another instance
/// won): true when added.
pub async fn insert<'c, E>(db: E, key: &StoredSigningKey) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let added = sqlx::query(
        "INSERT INTO signing_keys (kid, generation, algorithm, private_key, public_jwk,
                                   created_at, signs_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (algorithm, generation) DO NOTHING",
    )
    .bind(key.kid.clone())
    .bind(key.generation)
    .bind(key.algorithm.as_str())
    .bind(key.sealed_private_key.clone())
    .bind(key.public_jwk.to_string())
    .bind(now())
    .bind(key.signs_from)
    .execute(db)
    .await?;
    Ok(added.rows_affected() == 1)
}

/// The newest key of `algorithm`, whether or not it signs yet.
pub async fn newest<'c, E>(
    db: E,
    algorithm: SigningAlgorithm,
) -> Result<Option<StoredSigningKey>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, KeyRow>(concat!(
        select_keys!(),
        " WHERE algorithm = $1 ORDER BY generation DESC LIMIT 1"
    ))
    .bind(algorithm.as_str())
    .fetch_optional(db)
    .await?
    .map(StoredSigningKey::try_from)
    .transpose()
}

/// The key of `algorithm` that signs now: the newest whose time has come.
pub async fn signing_now<'c, E>(
    db: E,
    algorithm: SigningAlgorithm,
) -> Result<Option<StoredSigningKey>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, KeyRow>(concat!(
        select_keys!(),
        " WHERE algorithm = $1 AND signs_from <= $2 ORDER BY generation DESC LIMIT 1"
    ))
    .bind(algorithm.as_str())
    .bind(now())
    .fetch_optional(db)
    .await?
    .map(StoredSigningKey::try_from)
    .transpose()
}

/// The keys the JWKS publishes: every key not yet withdrawn, newest first.
pub async fn published<'c, E>(db: E) -> Result<Vec<StoredSigningKey>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, KeyRow>(concat!(
        select_keys!(),
        " WHERE published_until IS NULL OR published_until > $1
         ORDER BY generation DESC"
    ))
    .bind(now())
    .fetch_all(db)
    .await?
    .into_iter()
    .map(StoredSigningKey::try_from)
    .collect()
}

/// Sets when the keys older than `generation` leave the JWKS (those withdrawn already keep
/// their earlier time).
pub async fn withdraw_older<'c, E>(
    db: E,
    generation: i64,
    published_until: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE signing_keys SET published_until = $1
         WHERE generation < $2 AND published_until IS NULL",
    )
    .bind(published_until)
    .bind(generation)
    .execute(db)
    .await
    .map(drop)
}
