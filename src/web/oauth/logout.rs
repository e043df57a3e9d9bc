//! `/oauth/logout` (OpenID Connect RP-Initiated Logout 1.0): an application signs the person
//! out of Usher. With an `id_token_hint` Usher signed, at once; without one, the person
//! confirms first, so that no other site can sign them out. Afterwards, back to a registered
//! `post_logout_redirect_uri` with `state`, or to Usher's sign-in page.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use url::Url;

use super::respond::{After, Destination, to_application};
use crate::auth::TypedSession;
use crate::domain::application::Application;
use crate::error::AppError;
use crate::services::Error;
use crate::services::oauth::{authorize, logout};
use crate::state::AppState;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::urls::RealmUrls;

#[derive(Deserialize, Default)]
pub struct LogoutParams {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

#[derive(Template)]
#[template(path = "oauth/logout_confirm.html")]
struct ConfirmPage {
    page: Page,
    app_name: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    logout_state: Option<String>,
}

#[derive(Template)]
#[template(path = "oauth/unanswerable.html")]
struct RefusedPage {
    page: Page,
    reason: String,
}

pub async fn get(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    params: web::Query<LogoutParams>,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let hint = match params.id_token_hint.as_deref() {
        Some(hint) => logout::read_hint(&state, hint).await?,
        None => None,
    };
    // A hint about someone else (an attacker's own token) does not sign this person out.
    let hint_is_theirs = match (&hint, &page.user) {
        (Some(hint), Some(user)) => hint.subject == user.id.as_str(),
        (Some(_), None) => true,
        (None, _) => false,
    };
    let app = match &hint {
        Some(hint) => Some(hint.app.clone()),
        None => named_application(&state, params.client_id.as_deref()).await?,
    };
    let target = match target(&app, &params) {
        Ok(target) => target,
        Err(reason) => return refused(page, reason),
    };
    if !hint_is_theirs && page.user.is_some() {
        return render(&ConfirmPage {
            page,
            app_name: app.as_ref().map(|app| app.name.to_string()),
            client_id: app.as_ref().map(|app| app.client_id.to_string()),
            post_logout_redirect_uri: target
                .is_some()
                .then(|| params.post_logout_redirect_uri.clone())
                .flatten(),
            logout_state: params.state,
        });
    }
    sign_out(page, &state, &session, app, target, After::Navigation).await
}

/// The confirmation's form.
pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<LogoutParams>,
) -> Result<HttpResponse, AppError> {
    let params = form.into_inner();
    let app = named_application(&state, params.client_id.as_deref()).await?;
    let target = match target(&app, &params) {
        Ok(target) => target,
        Err(reason) => return refused(page, reason),
    };
    sign_out(page, &state, &session, app, target, After::Form).await
}

async fn named_application(
    state: &AppState,
    client_id: Option<&str>,
) -> Result<Option<Application>, AppError> {
    let Some(client_id) = client_id else {
        return Ok(None);
    };
    match authorize::application(&state.store, client_id).await {
        Ok(app) => Ok(Some(app)),
        Err(Error::NotFound) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

/// Where to go once signed out: a `post_logout_redirect_uri` the application registered,
/// with `state`; anything else is refused rather than followed.
fn target(
    app: &Option<Application>,
    params: &LogoutParams,
) -> Result<Option<String>, &'static str> {
    let Some(uri) = params.post_logout_redirect_uri.as_deref() else {
        return Ok(None);
    };
    let registered = app
        .as_ref()
        .and_then(|app| logout::post_logout_target(app, uri))
        .ok_or(
            "The address to return to after signing out is not one the application registered.",
        )?;
    let mut url = Url::parse(&registered).map_err(|_| "The address to return to is not valid.")?;
    if let Some(state) = params.state.as_deref() {
        url.query_pairs_mut().append_pair("state", state);
    }
    Ok(Some(url.to_string()))
}

async fn sign_out(
    page: Page,
    state: &AppState,
    session: &TypedSession,
    app: Option<Application>,
    target: Option<String>,
    after: After,
) -> Result<HttpResponse, AppError> {
    if let Some(sid) = session.sid() {
        logout::end_sign_in(state, &sid).await?;
    }
    session.sign_out();
    match (target, app) {
        (Some(url), Some(app)) => {
            let destination = Destination {
                url: &url,
                app_name: app.name.as_str(),
                heading: "You are signed out",
                message: "Taking you back to the application…",
            };
            to_application(page, after, &destination)
        }
        _ => Ok(Notice::SignedOut.redirect(&RealmUrls::Login.of(None))),
    }
}

fn refused(page: Page, reason: &str) -> Result<HttpResponse, AppError> {
    let page = RefusedPage {
        page,
        reason: reason.to_owned(),
    };
    render_with_status(StatusCode::BAD_REQUEST, &page)
}
