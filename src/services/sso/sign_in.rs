//! A sign-in through an organization's identity provider: sending the browser there with a
//! flow kept server-side, and checking what comes back before anyone is signed in.
use openidconnect::core::CoreJsonWebKeySet;

use super::provider::{self, Metadata, Provider, ProviderError, Verified};
use super::provisioning;
use super::{Refusal, SsoError};
use crate::domain::sso::{ExternalProfile, OidcConnection};
use crate::domain::token::hex_sha256;
use crate::domain::{ConnectionId, EmailToken, Organization, User, UserId};
use crate::state::AppState;
use crate::store::sso_flows::{self, FLOW_TTL_SECS, SsoFlow};
use crate::store::{now, oidc_connections, organizations};

/// A sign-in may fetch the provider's keys again at most this often per connection.
const REFETCH_INTERVAL_SECS: i64 = 60;

/// Where to send the browser, and the value of the cookie that binds the flow to it.
pub struct Started {
    pub url: url::Url,
    pub browser_token: String,
}

/// What the provider's answer carries (the callback's query).
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
}

pub enum Finished {
    SignedIn(Box<SignedIn>),
    /// An admin's test sign-in: what Usher received and would do, with nothing created.
    Tested(Box<TestReport>),
}

/// The person signed in at the provider, and who they are here.
pub struct SignedIn {
    pub user: User,
    pub org: Organization,
    pub connection: ConnectionId,
    /// A local path to land on, or "".
    pub return_to: String,
    pub verified: Verified,
}

pub struct TestReport {
    pub org: Organization,
    pub connection: OidcConnection,
    pub claims: String,
    pub profile: ExternalProfile,
    pub role: crate::domain::Role,
}

/// Starts a sign-in through connection `id`. `tester` runs an admin's test sign-in, which
/// works while the connection is off.
pub async fn start(
    state: &AppState,
    id: &ConnectionId,
    return_to: &str,
    tester: Option<&UserId>,
) -> Result<Started, SsoError> {
    let (connection, org) = usable(state, id, tester.is_some()).await?;
    let provider = provider_of(state, &connection)?;
    let start = provider.start(&connection.settings.scopes);
    let browser_token = EmailToken::generate();
    let flow = SsoFlow {
        state: start.state,
        browser_hash: hex_sha256(browser_token.as_str().as_bytes()),
        connection_id: id.as_str().to_owned(),
        nonce: start.nonce,
        pkce_verifier: start.pkce_verifier,
        return_to: return_to.to_owned(),
        test_by: tester.map(|user| user.as_str().to_owned()),
        expires_at: now() + FLOW_TTL_SECS,
    };
    sso_flows::insert(state.store.pool(), &flow).await?;
    tracing::info!(connection = %id, org = %org.id, "sent to the identity provider");
    Ok(Started {
        url: start.url,
        browser_token: browser_token.as_str().to_owned(),
    })
}

/// Checks the provider's answer at connection `id`'s callback: the flow its state names (once,
/// from this browser, for this connection, in time), the provider's `iss`, then the code
/// exchange and the ID token; and then who the person is here.
pub async fn finish(
    state: &AppState,
    id: &ConnectionId,
    callback: Callback,
    browser_token: Option<&str>,
    signed_in: Option<&UserId>,
    client_ip: &str,
) -> Result<Finished, SsoError> {
    let refused = |reason: &str| SsoError::Refused(Refusal::Failed(reason.to_owned()));
    let flow_state = callback
        .state
        .as_deref()
        .ok_or_else(|| refused("no state"))?;
    let flow = sso_flows::take(state.store.pool(), flow_state)
        .await?
        .ok_or_else(|| refused("unknown or replayed state"))?;
    if flow.connection() != *id {
        return Err(refused("the state belongs to another connection's sign-in"));
    }
    let bound =
        browser_token.is_some_and(|token| hex_sha256(token.as_bytes()) == flow.browser_hash);
    if !bound {
        return Err(refused("the state was not issued to this browser"));
    }
    if flow.expires_at <= now() {
        return Err(refused("the sign-in took too long"));
    }
    let tester = flow.tester();
    if tester.is_some() && tester.as_ref() != signed_in {
        return Err(refused("a test sign-in finished in another session"));
    }
    let (connection, org) = usable(state, id, tester.is_some()).await?;
    // The provider's refusal (or the person's cancel) is theirs to log, and its text could
    // come from anyone: it is not kept on the connection.
    if let Some(error) = &callback.error {
        let code: String = error
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(40)
            .collect();
        return Err(refused(&format!("the provider answered error={code}")));
    }
    let outcome = answer(state, &connection, &flow, callback).await;
    let verified = match outcome {
        Ok(verified) => verified,
        Err(err) => {
            oidc_connections::record_error(state.store.pool(), id, &err.to_string()).await?;
            return Err(refused(&err.to_string()));
        }
    };
    let profile = ExternalProfile::read(
        verified.subject.clone(),
        &verified.claims,
        &connection.settings.claim_map,
    );
    if tester.is_some() {
        let settings = &connection.settings;
        let role = settings
            .role_rules
            .role_for(&profile.groups, settings.default_role);
        let claims = serde_json::to_string_pretty(&verified.claims).unwrap_or_default();
        return Ok(Finished::Tested(Box::new(TestReport {
            org,
            connection,
            claims,
            profile,
            role,
        })));
    }
    let user = provisioning::provision(state, &connection, &org, &profile, client_ip)
        .await?
        .map_err(SsoError::Refused)?;
    oidc_connections::record_success(state.store.pool(), id).await?;
    Ok(Finished::SignedIn(Box::new(SignedIn {
        user,
        org,
        connection: id.clone(),
        return_to: flow.return_to,
        verified,
    })))
}

/// What the provider answered, checked; a provider fault keeps its precise reason.
async fn answer(
    state: &AppState,
    connection: &OidcConnection,
    flow: &SsoFlow,
    callback: Callback,
) -> Result<Verified, ProviderError> {
    let mut provider = provider_of(state, connection)
        .map_err(|_| ProviderError::Discovery("the stored connection cannot be read".into()))?;
    // RFC 9207: an `iss` must be this provider's, and a provider that sends it always must.
    let expected = provider.metadata.issuer().as_str().to_owned();
    match callback.iss {
        Some(iss) if iss != expected => {
            return Err(ProviderError::Token(format!(
                "the response's iss is not the issuer {expected}"
            )));
        }
        None if provider
            .metadata
            .additional_metadata()
            .authorization_response_iss_parameter_supported
            == Some(true) =>
        {
            return Err(ProviderError::Token("the response has no iss".into()));
        }
        _ => {}
    }
    let code = callback
        .code
        .ok_or_else(|| ProviderError::Token("the response has no code".into()))?;
    let response = provider
        .exchange(&state.http, code, flow.pkce_verifier.clone())
        .await?;
    match provider.verified(&state.http, &response, &flow.nonce).await {
        Err(ProviderError::UnknownKey) => {
            provider.jwks = refetched_keys(state, connection, &provider.metadata).await?;
            provider.verified(&state.http, &response, &flow.nonce).await
        }
        other => other,
    }
}

/// The provider's keys fetched again (it rotated), at most once a minute per connection;
/// within the minute, whatever another sign-in stored.
pub(super) async fn refetched_keys(
    state: &AppState,
    connection: &OidcConnection,
    metadata: &Metadata,
) -> Result<CoreJsonWebKeySet, ProviderError> {
    let id = &connection.connection_id;
    let stored = |err: sqlx::Error| ProviderError::Keys(format!("storing the keys: {err}"));
    if oidc_connections::claim_refetch(state.store.pool(), id, REFETCH_INTERVAL_SECS)
        .await
        .map_err(stored)?
    {
        let jwks = provider::fetch_keys(&state.http, metadata).await?;
        let json = serde_json::to_string(&jwks).unwrap_or_default();
        oidc_connections::replace_keys(state.store.pool(), id, &json)
            .await
            .map_err(stored)?;
        tracing::info!(connection = %id, "fetched the identity provider's keys again");
        return Ok(jwks);
    }
    let current = oidc_connections::find(state.store.pool(), id)
        .await
        .map_err(stored)?
        .ok_or(ProviderError::UnknownKey)?;
    serde_json::from_str(&current.jwks).map_err(|_| ProviderError::UnknownKey)
}

/// The connection and its organization, if sign-ins may go through it now.
async fn usable(
    state: &AppState,
    id: &ConnectionId,
    testing: bool,
) -> Result<(OidcConnection, Organization), SsoError> {
    let db = state.store.pool();
    let connection = oidc_connections::find(db, id)
        .await?
        .ok_or(SsoError::Refused(Refusal::Unknown))?;
    if !connection.enabled && !testing {
        return Err(SsoError::Refused(Refusal::Disabled));
    }
    let org = organizations::find_by_id(db, &connection.organization_id)
        .await?
        .ok_or(SsoError::Refused(Refusal::Unknown))?;
    if org.is_suspended() {
        return Err(SsoError::Refused(Refusal::Suspended));
    }
    Ok((connection, org))
}

pub(super) fn provider_of(
    state: &AppState,
    connection: &OidcConnection,
) -> Result<Provider, SsoError> {
    let unreadable = |what: &str| {
        SsoError::Refused(Refusal::Failed(format!("the stored {what} cannot be read")))
    };
    let metadata: Metadata =
        serde_json::from_str(&connection.metadata).map_err(|_| unreadable("discovery document"))?;
    let jwks = serde_json::from_str(&connection.jwks).map_err(|_| unreadable("key set"))?;
    let secret = state
        .sealer
        .open(
            &connection.sealed_secret,
            &OidcConnection::secret_context(&connection.connection_id),
        )
        .map_err(|_| unreadable("client secret"))?;
    let redirect_uri = url::Url::parse(&state.links.sso_callback(&connection.connection_id))
        .map_err(|_| unreadable("redirect URI"))?;
    Ok(Provider {
        metadata,
        jwks,
        client_id: connection.client_id.clone(),
        client_secret: String::from_utf8(secret).map_err(|_| unreadable("client secret"))?,
        redirect_uri,
    })
}
