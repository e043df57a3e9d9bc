//! The authorization endpoint's decisions: which organization a sign-in is for, keeping a
//! request while the person signs in, and issuing the code.
use url::Url;

use crate::domain::application::{Application, OrgPolicy};
use crate::domain::oauth::{AuthorizationRequest, ErrorCode, OAuthError};
use crate::domain::{EmailToken, OrgChoice, Organization, OrganizationId, User, UserId};
use crate::services::{Error, Result, applications, landing};
use crate::state::AppState;
use crate::store::authorization_codes::CodeGrant;
use crate::store::{
    Store, application_sign_ins, authorization_codes, authorization_requests, memberships,
    organizations,
};

/// The application a request names; `NotFound` for an unknown `client_id`.
pub async fn application(store: &Store, client_id: &str) -> Result<Application> {
    applications::find(store, client_id).await
}

/// The organization a request names (`organization=<id or slug>`), checked against how the
/// application treats organizations.
pub async fn requested_org(
    store: &Store,
    app: &Application,
    request: &AuthorizationRequest,
) -> Result<Option<Organization>> {
    let Some(wanted) = request.organization.as_deref() else {
        return Ok(None);
    };
    if app.organizations == OrgPolicy::None {
        return Err(OAuthError::invalid_request(
            "this application does not sign in to organizations",
        )
        .into());
    }
    let id = OrganizationId::from_stored(wanted.to_owned());
    let org = match organizations::find_by_id(store.pool(), &id).await? {
        Some(org) => Some(org),
        None => organizations::find_by_slug(store.pool(), wanted).await?,
    };
    org.map(Some)
        .ok_or_else(|| OAuthError::invalid_request("no organization has this id or slug").into())
}

/// Which organization the sign-in is for.
pub enum OrgDecision {
    /// This one, or none (an application for individuals, or an optional organization the
    /// person does not have).
    Chosen(Option<OrganizationId>),
    /// The person has several and must pick one.
    Pick(Vec<OrgChoice>),
}

pub async fn decide_org(
    state: &AppState,
    app: &Application,
    user: &User,
    requested: Option<&Organization>,
    confined_to: Option<&OrganizationId>,
) -> Result<OrgDecision> {
    if app.organizations == OrgPolicy::None {
        return Ok(OrgDecision::Chosen(None));
    }
    if let Some(org) = requested {
        if confined_to.is_some_and(|only| only != &org.id) {
            return Err(OAuthError::access_denied(
                "the person signed in through another organization's identity provider",
            )
            .into());
        }
        if memberships::find_role(state.store.pool(), &org.id, &user.id)
            .await?
            .is_none()
        {
            return Err(OAuthError::access_denied(
                "the person is not a member of the requested organization",
            )
            .into());
        }
        if org.is_suspended() {
            return Err(OAuthError::access_denied("the organization is suspended").into());
        }
        landing::remember_choice(state, user, &org.id).await?;
        return Ok(OrgDecision::Chosen(Some(org.id.clone())));
    }
    let choices: Vec<OrgChoice> = landing::choices(state, user, confined_to)
        .await?
        .into_iter()
        .filter(|choice| !choice.suspended)
        .collect();
    match (app.organizations, choices.len()) {
        (OrgPolicy::Required, 0) => {
            Err(OAuthError::access_denied("the person is not a member of any organization").into())
        }
        (OrgPolicy::Required, 1) | (OrgPolicy::Optional, _) => Ok(OrgDecision::Chosen(
            choices.into_iter().next().map(|c| c.id),
        )),
        _ => Ok(OrgDecision::Pick(choices)),
    }
}

/// The person picked `slug` on the picker: one of their organizations, or `NotFound`.
pub async fn pick_org(
    state: &AppState,
    user: &User,
    slug: &str,
    confined_to: Option<&OrganizationId>,
) -> Result<Organization> {
    let chosen = landing::switch_to(state, user, slug, confined_to).await?;
    organizations::find_by_id(state.store.pool(), &chosen.id)
        .await?
        .filter(|org| !org.is_suspended())
        .ok_or(Error::NotFound)
}

/// Keeps a request while the person signs in; its id, for the session.
pub async fn keep(
    store: &Store,
    request: &AuthorizationRequest,
    org: Option<&Organization>,
) -> Result<String> {
    let id = EmailToken::generate();
    let org_id = org.map(|org| org.id.as_str());
    authorization_requests::insert(store.pool(), id.as_str(), request, org_id).await?;
    Ok(id.as_str().to_owned())
}

pub async fn kept(store: &Store, id: &str) -> Result<AuthorizationRequest> {
    authorization_requests::find(store.pool(), id)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn forget(store: &Store, id: &str) -> Result<()> {
    authorization_requests::delete(store.pool(), id).await?;
    Ok(())
}

/// The browser sign-in a code is issued in.
pub struct SignedIn<'a> {
    pub user: &'a UserId,
    pub sid: &'a str,
    pub auth_time: i64,
}

/// Issues a code for the request and returns the redirect that carries it to the application.
pub async fn issue_code(
    state: &AppState,
    request: &AuthorizationRequest,
    signed_in: &SignedIn<'_>,
    org: Option<OrganizationId>,
) -> Result<String> {
    let code = EmailToken::generate();
    let grant = CodeGrant {
        client_id: request.client_id.clone(),
        user_id: signed_in.user.clone(),
        organization_id: org,
        redirect_uri: request.redirect_uri.clone(),
        scope: request.scope.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        sid: signed_in.sid.to_owned(),
        auth_time: signed_in.auth_time,
        expires_at: 0,
    };
    let mut tx = state.store.begin().await?;
    authorization_codes::insert(&mut *tx, &code.hash(), &grant).await?;
    // The sign-in reached this application: it hears when the sign-in ends.
    application_sign_ins::record(
        &mut *tx,
        &grant.sid,
        &grant.client_id,
        grant.user_id.as_str(),
        grant.organization_id.as_ref().map(|org| org.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(response_url(
        &request.redirect_uri,
        &[("code", code.as_str())],
        request.state.as_deref(),
        &state.links.issuer(),
    ))
}

/// The redirect that tells the application the request failed (RFC 6749 §4.1.2.1).
pub fn error_url(
    redirect_uri: &str,
    state: Option<&str>,
    error: &OAuthError,
    issuer: &str,
) -> String {
    response_url(
        redirect_uri,
        &[
            ("error", error.code.as_str()),
            ("error_description", error.description),
        ],
        state,
        issuer,
    )
}

/// `redirect_uri` with the response's parameters, `state`, and `iss` (RFC 9207) added to its
/// query.
fn response_url(
    redirect_uri: &str,
    params: &[(&str, &str)],
    state: Option<&str>,
    issuer: &str,
) -> String {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        // Checked when it was registered and when the request came.
        return redirect_uri.to_owned();
    };
    {
        let mut query = url.query_pairs_mut();
        query.extend_pairs(params);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", issuer);
    }
    url.to_string()
}

/// What `prompt=none` answers when the person would have to act.
pub const LOGIN_REQUIRED: OAuthError =
    OAuthError::new(ErrorCode::LoginRequired, "the person is not signed in");
pub const INTERACTION_REQUIRED: OAuthError = OAuthError::new(
    ErrorCode::InteractionRequired,
    "the person must pick an organization",
);

/// A kept request that named no organization signs in to `org` (the person came through its
/// identity provider), if the application treats organizations at all.
pub async fn prefer_org(store: &Store, kept: &str, org: &Organization) -> Result<()> {
    let request = self::kept(store, kept).await?;
    let app = application(store, &request.client_id).await?;
    if app.organizations != OrgPolicy::None {
        authorization_requests::set_org_if_unset(store.pool(), kept, org.id.as_str()).await?;
    }
    Ok(())
}
