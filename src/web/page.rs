//! What every page shows besides its own content (CSRF token, notice, signed-in user), and
//! the one way pages are turned into responses.
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::future::LocalBoxFuture;

use super::notice::Notice;
use super::realm::Realm;
use crate::auth::TypedSession;
use crate::auth::csrf::CsrfToken;
use crate::auth::current_user::signed_in_user;
use crate::domain::User;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::organizations;

/// The shared part of every page's template data.
#[derive(Default)]
pub struct Page {
    pub csrf: String,
    pub notice: Option<Notice>,
    pub user: Option<User>,
    pub dev_mail: bool,
    /// The organization whose branded pages these are (`/o/{slug}/…`).
    pub brand: Option<Brand>,
    /// Path prefix of the realm's forms: "" or "/o/{slug}".
    pub base: String,
    /// The organization the signed-in user is working in, shown in the header.
    pub current_org: Option<String>,
}

/// What an organization's branded pages show.
pub struct Brand {
    pub name: String,
    pub slug: String,
    pub logo_url: Option<String>,
    pub has_color: bool,
}

impl Page {
    /// Brands the page for the realm it belongs to.
    pub fn in_realm(mut self, realm: &Realm) -> Self {
        self.base = realm.base();
        self.brand = realm.org.as_ref().map(|org| Brand {
            name: org.name.clone(),
            slug: org.slug.to_string(),
            logo_url: org.logo_url.clone(),
            has_color: org.primary_color.is_some(),
        });
        self
    }
}

impl FromRequest for Page {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let csrf = req
                .extensions()
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default();
            let dev_mail = req
                .app_data::<web::Data<AppState>>()
                .is_some_and(|s| s.dev_mail);
            let user = signed_in_user(&req).await?;
            let current_org = match (&user, req.app_data::<web::Data<AppState>>()) {
                (Some(_), Some(state)) => current_org_name(&req, state).await?,
                _ => None,
            };
            let notice = Notice::from_request(&req);
            Ok(Page {
                csrf,
                notice,
                user,
                dev_mail,
                current_org,
                ..Page::default()
            })
        })
    }
}

/// The name of the organization in the session, if it is still there.
async fn current_org_name(req: &HttpRequest, state: &AppState) -> Result<Option<String>, AppError> {
    let session = TypedSession::extract(req).await?;
    let Some(org) = session.org_id().map_err(AppError::unexpected)? else {
        return Ok(None);
    };
    Ok(organizations::find_by_id(state.store.pool(), &org)
        .await?
        .map(|org| org.name))
}

/// Renders a page with status 200.
pub fn render(template: &impl Template) -> Result<HttpResponse, AppError> {
    render_with_status(StatusCode::OK, template)
}

/// Renders a page with another status: 422 for a form with errors, 410 for a dead link.
pub fn render_with_status(
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, AppError> {
    let body = template.render().map_err(AppError::unexpected)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// Like `render`, for pages whose URL carries a secret token: no Referer may leak it.
pub fn render_token_page(
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, AppError> {
    let mut res = render_with_status(status, template)?;
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

/// A 303 redirect (the answer to a successful POST).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// The client's address: the socket's peer, or, when that peer is a trusted reverse proxy, the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left
/// are whatever the client chose to send).
pub struct ClientIp(pub String);

impl ClientIp {
    fn of(req: &HttpRequest) -> String {
        let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
            return "unknown".into();
        };
        let trusted = AppState::of(req)
            .map(|s| s.trusted_proxies.clone())
            .unwrap_or_default();
        if !trusted.contains(&peer) {
            return peer.to_string();
        }
        let forwarded: Vec<IpAddr> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|ip| ip.trim().parse().ok())
            .collect();
        let client = forwarded.into_iter().rev().find(|ip| !trusted.contains(ip));
        client.unwrap_or(peer).to_string()
    }
}

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ClientIp(Self::of(req))))
    }
}
