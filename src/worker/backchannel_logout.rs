//! Sending one logout token to one application (OpenID Connect Back-Channel Logout 1.0 §2.5):
//! a form POST of `logout_token`, answered 200 or 204. Anything else, or no answer within the
//! timeouts, is retried with backoff with a fresh token.
use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use super::Context;
use crate::services::oauth::backchannel::{logout_claims, logout_token};
use crate::services::signing_keys;
use crate::store::{self, applications};

/// Tells `client_id` that the sign-in `sid` of the user `sub` ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendLogoutToken {
    pub client_id: String,
    pub sub: String,
    pub sid: String,
}

/// About a day of retries (backoff caps at ten minutes): an application down for a deploy
/// still hears of it.
pub const MAX_ATTEMPTS: i64 = 150;

impl SendLogoutToken {
    pub(super) async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let Some(app) = applications::find_by_client_id(ctx.store.pool(), &self.client_id).await?
        else {
            return Ok(()); // The application was deleted: nobody to tell.
        };
        let Some(uri) = app.backchannel_logout_uri else {
            return Ok(()); // It stopped listening.
        };
        let signer = signing_keys::signer(&ctx.store, &ctx.sealer, app.signing_algorithm).await?;
        let claims = logout_claims(
            &ctx.issuer,
            &self.client_id,
            &self.sub,
            &self.sid,
            store::now(),
        );
        let token = logout_token(&signer, &claims)?;
        let response = ctx
            .http
            .post(uri.as_str())
            .form(&[("logout_token", token.as_str())])
            .send()
            .await
            .with_context(|| format!("sending a logout token to {uri}"))?;
        let status = response.status();
        if status == reqwest::StatusCode::OK || status == reqwest::StatusCode::NO_CONTENT {
            tracing::info!(client_id = %self.client_id, sid = %self.sid, "logout token taken");
            Ok(())
        } else {
            bail!("{uri} answered the logout token with {status}")
        }
    }
}
