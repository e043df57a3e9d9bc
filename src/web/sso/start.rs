//! `GET /sso/{id}/start`: sends the browser to the connection's identity provider.
use actix_web::cookie::time::Duration;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use tracing_actix_web::RequestId;

use crate::auth::cookies::CookieConfig;
use crate::domain::ConnectionId;
use crate::error::AppError;
use crate::services::sso::sign_in::{self, Started};
use crate::services::sso::{Refusal, SsoError};
use crate::state::AppState;
use crate::store::sso_flows::FLOW_TTL_SECS;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::sign_in::login::local_path;
use crate::web::urls::RealmUrls;

#[derive(Deserialize)]
pub struct StartQuery {
    /// A local path to land on once signed in.
    #[serde(default)]
    return_to: String,
}

#[derive(Template)]
#[template(path = "sso/failed.html")]
struct FailedPage {
    page: Page,
    message: &'static str,
    login: String,
    request_id: String,
}

#[derive(Template)]
#[template(path = "sso/continue.html")]
struct ContinuePage<'a> {
    page: Page,
    idp_name: &'a str,
    message: &'a str,
    target: &'a str,
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<StartQuery>,
    request_id: RequestId,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner());
    let return_to = local_path(&query.return_to).unwrap_or_default();
    match sign_in::start(&state, &id, return_to, None).await {
        Ok(started) => {
            let mut res = HttpResponse::SeeOther()
                .insert_header((header::LOCATION, started.url.as_str()))
                .finish();
            bind_browser(&req, &mut res, &started)?;
            Ok(res)
        }
        Err(err) => failed(err, Some(request_id)),
    }
}

/// Sets the flow's cookie on `res`. It comes back on the provider's redirect to the callback,
/// a top-level GET, which `SameSite=Lax` allows.
fn bind_browser(
    req: &HttpRequest,
    res: &mut HttpResponse,
    started: &Started,
) -> Result<(), AppError> {
    let config = CookieConfig::of(req)?;
    let mut cookie = config.build(config.sso_name, started.browser_token.clone());
    cookie.set_max_age(Duration::seconds(FLOW_TTL_SECS));
    res.add_cookie(&cookie).map_err(AppError::unexpected)
}

/// After one of Usher's forms (the email step, an admin's test button): a page that
/// continues to the provider, as CSP `form-action` would block a redirect there.
pub fn continue_page(
    req: &HttpRequest,
    page: Page,
    idp_name: &str,
    message: &str,
    started: &Started,
) -> Result<HttpResponse, AppError> {
    let mut res = render(&ContinuePage {
        page,
        idp_name,
        message,
        target: started.url.as_str(),
    })?;
    bind_browser(req, &mut res, started)?;
    Ok(res)
}

/// The plain page for a sign-in that cannot go on; the precise reason goes to the log.
pub fn failed(err: SsoError, request_id: Option<RequestId>) -> Result<HttpResponse, AppError> {
    let refusal = match err {
        SsoError::Refused(refusal) => refusal,
        SsoError::Failed(err) => return Err(err.into()),
    };
    tracing::warn!(reason = %refusal.reason(), "enterprise sign-in refused");
    let status = match refusal {
        Refusal::Unknown => StatusCode::NOT_FOUND,
        Refusal::Failed(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::FORBIDDEN,
    };
    render_with_status(
        status,
        &FailedPage {
            page: Page::default(),
            message: refusal.message(),
            login: RealmUrls::Login.of(None),
            request_id: request_id.map(|id| id.to_string()).unwrap_or_default(),
        },
    )
}
