//! What every page shows besides its own content (CSRF token, notice, signed-in user), and
//! the one way pages are turned into responses.
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::future::LocalBoxFuture;

use super::notice::Notice;
use super::realm::Realm;
use crate::auth::TypedSession;
use crate::auth::csrf;
use crate::auth::current_user::signed_in_user;
use crate::domain::{PasswordRules, User};
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
    /// For the hint under new-password fields.
    pub password_rules: PasswordRules,
}

/// What an organization's branded pages show.
pub struct Brand {
    pub name: String,
    pub slug: String,
    pub logo_url: Option<String>,
    pub has_color: bool,
}

impl Page {
    /// The hint under every new-password field.
    pub fn password_hint(&self) -> String {
        self.password_rules.hint()
    }

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
            let state = req.app_data::<web::Data<AppState>>();
            let dev_mail = state.is_some_and(|s| s.dev_outbox);
            let password_rules = state.map(|s| s.password_rules).unwrap_or_default();
            let user = signed_in_user(&req).await?;
            // Signed after the user is known: a blocked user was just signed out.
            let csrf = csrf::form_token(&req);
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
                password_rules,
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
/// address the proxies name. `X-Forwarded-For` is read from the right, each proxy having
/// appended the address it saw: the first entry that is not a trusted proxy is the client
/// (entries further left are whatever the client chose to send). An entry that does not parse
/// there stops the walk at the proxy that wrote it. Addresses are canonical, so that an IPv4
/// client of a dual-stack listener (`::ffff:a.b.c.d`) is its IPv4 address.
pub struct ClientIp(pub String);

impl ClientIp {
    fn of(req: &HttpRequest) -> String {
        let Some(peer) = req.peer_addr().map(|a| a.ip().to_canonical()) else {
            return "unknown".into();
        };
        let trusted = AppState::of(req)
            .map(|s| s.trusted_proxies.clone())
            .unwrap_or_default();
        let entries: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        client_behind(peer, &trusted, &entries).to_string()
    }
}

/// Walks the forwarding chain from `peer` leftwards while each hop is a trusted proxy.
fn client_behind(peer: IpAddr, trusted: &[IpAddr], forwarded_for: &[&str]) -> IpAddr {
    let mut hop = peer;
    for entry in forwarded_for.iter().rev() {
        if !trusted.contains(&hop) {
            break;
        }
        match parse_forwarded_entry(entry) {
            Some(ip) => hop = ip,
            None => break,
        }
    }
    hop
}

/// One `X-Forwarded-For` entry: an address, possibly with a port, IPv6 possibly in brackets.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })?;
    Some(ip.to_canonical())
}

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ClientIp(Self::of(req))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let proxy = ip("10.0.0.1");
        let trusted = [proxy, ip("10.0.0.2")];
        // Without a trusted peer the header is ignored.
        assert_eq!(
            client_behind(ip("198.51.100.9"), &trusted, &["203.0.113.5"]),
            ip("198.51.100.9")
        );
        // The client's own entries on the left do not count.
        assert_eq!(
            client_behind(proxy, &trusted, &["6.6.6.6", "203.0.113.5", "10.0.0.2"]),
            ip("203.0.113.5")
        );
        // Ports and brackets are stripped; mapped addresses are canonical.
        assert_eq!(
            client_behind(proxy, &trusted, &["203.0.113.5:4711"]),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_behind(proxy, &trusted, &["[2001:db8::7]:443"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_behind(proxy, &trusted, &["[2001:db8::7]"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_behind(proxy, &trusted, &["::ffff:203.0.113.5"]),
            ip("203.0.113.5")
        );
        // An entry that does not parse: the proxy that wrote it is the client as far as we know,
        // not the client-chosen entry further left.
        assert_eq!(
            client_behind(proxy, &trusted, &["6.6.6.6", "garbage"]),
            proxy
        );
        assert_eq!(
            client_behind(proxy, &trusted, &["6.6.6.6", "bad", "10.0.0.2"]),
            ip("10.0.0.2")
        );
    }
}
