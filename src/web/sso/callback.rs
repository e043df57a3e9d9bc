//! `GET /sso/{id}/callback`: the identity provider's answer. Signs the person in and sends
//! them on (to the application waiting for them, the page they asked for, or their
//! organization), or shows an admin's test sign-in; a refusal gets the plain page.
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use tracing_actix_web::RequestId;

use super::start::failed;
use crate::auth::TypedSession;
use crate::auth::cookies::CookieConfig;
use crate::domain::sso::ExternalProfile;
use crate::domain::{ConnectionId, Role};
use crate::error::AppError;
use crate::services::sso::sign_in::{self, Callback, Finished, SignedIn, TestReport};
use crate::services::{oauth, sso};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::page::Page;
use crate::web::respond::{render, see_other};
use crate::web::urls::Urls;

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "sso/test_report.html")]
struct TestReportPage {
    page: Page,
    idp_name: String,
    claims: String,
    profile: ExternalProfile,
    role: Role,
    back: String,
}

pub async fn get(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    path: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    let request_id = req.extensions().get::<RequestId>().copied();
    let id = ConnectionId::from_stored(path.into_inner());
    let config = CookieConfig::of(&req)?;
    let browser_token = req.cookie(config.sso_name).map(|c| c.value().to_owned());
    let query = query.into_inner();
    let callback = Callback {
        code: query.code,
        state: query.state,
        iss: query.iss,
        error: query.error,
    };
    let signed_in = session.user_id().ok().flatten();
    let finished = sign_in::finish(
        &state,
        &id,
        callback,
        browser_token.as_deref(),
        signed_in.as_ref(),
        &ip.0,
    )
    .await;
    let mut res = match finished {
        Ok(Finished::SignedIn(signed_in)) => {
            session
                .sign_in(&signed_in.user.id)
                .map_err(AppError::unexpected)?;
            session
                .set_org(&signed_in.org.id)
                .map_err(AppError::unexpected)?;
            session
                .confine_to(&signed_in.org.id)
                .map_err(AppError::unexpected)?;
            if let Some(sid) = session.sid() {
                sso::logout::remember(&state, &sid, &signed_in).await?;
            }
            let SignedIn {
                user,
                org,
                return_to,
                ..
            } = *signed_in;
            tracing::info!(user = %user.id, org = %org.id, connection = %id, "signed in through the identity provider");
            let destination = if let Some(kept) = session.pending_authorization() {
                oauth::authorize::prefer_org(&state.store, &kept, &org).await?;
                Urls::OAuthContinue.to_string()
            } else if !return_to.is_empty() {
                return_to
            } else {
                Urls::OrgHome.with(&org.slug)
            };
            see_other(&destination)
        }
        Ok(Finished::Tested(report)) => test_report(page, *report)?,
        Err(err) => failed(err, request_id)?,
    };
    // The flow is over either way.
    let mut gone = config.build(config.sso_name, String::new());
    gone.make_removal();
    res.add_cookie(&gone).map_err(AppError::unexpected)?;
    Ok(res)
}

fn test_report(page: Page, report: TestReport) -> Result<HttpResponse, AppError> {
    let TestReport {
        org,
        connection,
        claims,
        profile,
        role,
    } = report;
    render(&TestReportPage {
        page: page.working_in(&org.name),
        idp_name: connection.settings.display_name.clone(),
        claims,
        profile,
        role,
        back: Urls::OrgAdminSsoConnection.with2(&org.slug, &connection.connection_id),
    })
}
