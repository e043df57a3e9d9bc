//! The scheduled rotation of the token signing keys: hourly, it adds a new key once the newest
//! has signed for `ROTATE_AFTER_SECS`. The new key is published an hour before it signs, and
//! the old ones stay published until every token they signed has expired, so nothing a client
//! holds stops verifying.
use serde::{Deserialize, Serialize};

use super::Context;
use crate::services::signing_keys;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotateSigningKeys {}

pub const EVERY_SECS: i64 = 3600;
pub const MAX_ATTEMPTS: i64 = 3;
/// How long one key signs before the next replaces it.
pub const ROTATE_AFTER_SECS: i64 = 90 * 24 * 3600;

impl RotateSigningKeys {
    pub(super) async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        if let Some(keys) =
            signing_keys::rotate_when_older(&ctx.store, &ctx.sealer, ROTATE_AFTER_SECS).await?
        {
            for key in keys {
                tracing::info!(kid = %key.kid, alg = %key.algorithm, "rotated a token signing key");
            }
        }
        Ok(())
    }
}
