//! `/oauth/authorize`: checks the application's request, has the person sign in (on the
//! organization's own pages when it names one) and pick an organization when the application
//! needs one, and sends them back with a code.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::respond::{After, Destination, to_application};
use crate::auth::TypedSession;
use crate::domain::OrgChoice;
use crate::domain::Organization;
use crate::domain::application::Application;
use crate::domain::oauth::request::Unanswerable;
use crate::domain::oauth::{AuthorizationRequest, AuthorizeParams, OAuthError, Prompt};
use crate::error::AppError;
use crate::services::Error;
use crate::services::oauth::authorize::{
    self, INTERACTION_REQUIRED, LOGIN_REQUIRED, OrgDecision, SignedIn,
};
use crate::state::AppState;
use crate::store::now;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status, see_other};
use crate::web::urls::{RealmUrls, Urls};

#[derive(Template)]
#[template(path = "oauth/unanswerable.html")]
struct UnanswerablePage {
    page: Page,
    reason: String,
}

#[derive(Template)]
#[template(path = "oauth/pick_org.html")]
struct PickerPage {
    page: Page,
    app_name: String,
    choices: Vec<OrgChoice>,
}

/// A request being answered: the application, what it asked, and the organization it named.
struct Flow {
    app: Application,
    request: AuthorizationRequest,
    org: Option<Organization>,
    /// The id it is kept under while the person acts.
    kept: Option<String>,
    after: After,
}

pub async fn get(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    params: web::Query<AuthorizeParams>,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let client_id = params.client_id.clone().unwrap_or_default();
    if client_id.is_empty() {
        return unanswerable(page, Unanswerable::NoClient);
    }
    let app = match authorize::application(&state.store, &client_id).await {
        Ok(app) => app,
        Err(Error::NotFound) => return unanswerable(page, Unanswerable::UnknownClient),
        Err(err) => return Err(err.into()),
    };
    let redirect_uri = match params.redirect_uri_of(&app) {
        Ok(uri) => uri,
        Err(reason) => return unanswerable(page, reason),
    };
    // From here on the application hears of every refusal, at its own redirect URI.
    let state_param = params.state.clone();
    let refuse = |err: &OAuthError| {
        let url = authorize::error_url(
            &redirect_uri,
            state_param.as_deref(),
            err,
            &state.links.issuer(),
        );
        Ok(see_other(&url))
    };
    let request = match params.check(&app, redirect_uri.clone(), now()) {
        Ok(request) => request,
        Err(err) => return refuse(&err),
    };
    let org = match authorize::requested_org(&state.store, &app, &request).await {
        Ok(org) => org,
        Err(Error::OAuth(err)) => return refuse(&err),
        Err(err) => return Err(err.into()),
    };
    let flow = Flow {
        app,
        request,
        org,
        kept: None,
        after: After::Navigation,
    };
    proceed(page, &state, &session, flow, None).await
}

/// `/oauth/authorize/continue`: where sign-in sends a browser that has a request waiting.
pub async fn resume(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, AppError> {
    let flow = match kept_flow(&state, &session).await? {
        Some(flow) => flow,
        None => return Ok(see_other(Urls::Start.pattern())),
    };
    proceed(page, &state, &session, flow, None).await
}

pub async fn picker(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, AppError> {
    let (Some(flow), Some(user)) = (kept_flow(&state, &session).await?, page.user.clone()) else {
        return Ok(see_other(Urls::Start.pattern()));
    };
    match authorize::decide_org(
        &state,
        &flow.app,
        &user,
        None,
        session.confined_to().as_ref(),
    )
    .await?
    {
        OrgDecision::Pick(choices) => render(&PickerPage {
            page,
            app_name: flow.app.name.to_string(),
            choices,
        }),
        // Nothing to pick any more (a membership ended meanwhile): carry on.
        OrgDecision::Chosen(_) => Ok(see_other(Urls::OAuthContinue.pattern())),
    }
}

#[derive(Deserialize)]
pub struct PickForm {
    #[serde(default)]
    slug: String,
}

pub async fn pick(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<PickForm>,
) -> Result<HttpResponse, AppError> {
    let (Some(flow), Some(user)) = (kept_flow(&state, &session).await?, page.user.clone()) else {
        return Ok(see_other(Urls::Start.pattern()));
    };
    let org =
        authorize::pick_org(&state, &user, &form.slug, session.confined_to().as_ref()).await?;
    proceed(page, &state, &session, flow, Some(org)).await
}

/// The request this browser has waiting, if it is still there.
async fn kept_flow(state: &AppState, session: &TypedSession) -> Result<Option<Flow>, AppError> {
    let Some(id) = session.pending_authorization() else {
        return Ok(None);
    };
    let request = match authorize::kept(&state.store, &id).await {
        Ok(request) => request,
        Err(Error::NotFound) => {
            session.clear_pending_authorization();
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    let app = authorize::application(&state.store, &request.client_id).await?;
    let org = authorize::requested_org(&state.store, &app, &request).await?;
    Ok(Some(Flow {
        app,
        request,
        org,
        kept: Some(id),
        after: After::Form,
    }))
}

/// Takes the request as far as it can go: to sign-in, to the picker, or back to the
/// application. `picked` is the organization chosen on the picker.
async fn proceed(
    page: Page,
    state: &AppState,
    session: &TypedSession,
    mut flow: Flow,
    picked: Option<Organization>,
) -> Result<HttpResponse, AppError> {
    // `prompt=login` asks for a sign-in after this request, whatever the session's age; once
    // kept, its `login_after` says the same to the sign-in that follows.
    let fresh = flow.request.prompt != Prompt::Login
        && flow
            .request
            .login_after
            .is_none_or(|after| session.auth_time() >= after);
    let signed_in = page.user.clone().filter(|_| fresh);
    let (Some(user), Some(sid)) = (signed_in, session.sid()) else {
        if flow.request.prompt == Prompt::None {
            return answer_error(page, state, session, &flow, &LOGIN_REQUIRED).await;
        }
        if page.user.is_some() {
            // A sign-in asked to happen again (prompt=login, max_age).
            session.forget_user();
        }
        keep(state, session, &mut flow).await?;
        let slug = flow.org.as_ref().map(|org| &org.slug);
        return Ok(see_other(&RealmUrls::Login.of(slug)));
    };
    let requested = picked.as_ref().or(flow.org.as_ref());
    let org = match authorize::decide_org(
        state,
        &flow.app,
        &user,
        requested,
        session.confined_to().as_ref(),
    )
    .await
    {
        Ok(OrgDecision::Chosen(org)) => org,
        Ok(OrgDecision::Pick(_)) if flow.request.prompt == Prompt::None => {
            return answer_error(page, state, session, &flow, &INTERACTION_REQUIRED).await;
        }
        Ok(OrgDecision::Pick(_)) => {
            keep(state, session, &mut flow).await?;
            return Ok(see_other(Urls::OAuthPickOrg.pattern()));
        }
        Err(Error::OAuth(err)) => return answer_error(page, state, session, &flow, &err).await,
        Err(err) => return Err(err.into()),
    };
    let signed_in = SignedIn {
        user: &user.id,
        sid: &sid,
        auth_time: session.auth_time(),
    };
    let url = authorize::issue_code(state, &flow.request, &signed_in, org).await?;
    finish(session, state, &flow).await?;
    tracing::info!(user = %user.id, client = %flow.app.client_id, "authorization code issued");
    let destination = Destination {
        url: &url,
        app_name: flow.app.name.as_str(),
        heading: "You are signed in",
        message: "Taking you back to the application…",
    };
    to_application(page, flow.after, &destination)
}

/// Keeps the request (once) and notes it in the session.
async fn keep(state: &AppState, session: &TypedSession, flow: &mut Flow) -> Result<(), AppError> {
    let id = match &flow.kept {
        Some(id) => id.clone(),
        None => authorize::keep(&state.store, &flow.request, flow.org.as_ref()).await?,
    };
    session
        .set_pending_authorization(&id)
        .map_err(AppError::unexpected)?;
    flow.kept = Some(id);
    Ok(())
}

/// The request is answered: forget it.
async fn finish(session: &TypedSession, state: &AppState, flow: &Flow) -> Result<(), AppError> {
    if let Some(id) = &flow.kept {
        authorize::forget(&state.store, id).await?;
        session.clear_pending_authorization();
    }
    Ok(())
}

async fn answer_error(
    page: Page,
    state: &AppState,
    session: &TypedSession,
    flow: &Flow,
    err: &OAuthError,
) -> Result<HttpResponse, AppError> {
    finish(session, state, flow).await?;
    let url = authorize::error_url(
        &flow.request.redirect_uri,
        flow.request.state.as_deref(),
        err,
        &state.links.issuer(),
    );
    let destination = Destination {
        url: &url,
        app_name: flow.app.name.as_str(),
        heading: "You cannot sign in to this application here",
        message: err.description,
    };
    to_application(page, flow.after, &destination)
}

fn unanswerable(page: Page, reason: Unanswerable) -> Result<HttpResponse, AppError> {
    let page = UnanswerablePage {
        page,
        reason: reason.to_string(),
    };
    render_with_status(StatusCode::BAD_REQUEST, &page)
}
