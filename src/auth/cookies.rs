//! The cookies Usher sets besides the session, named and flagged once from the public URL.
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};

use crate::domain::BrowserId;
use crate::error::AppError;

/// Cookie names and flags, and the keys of what they carry; registered as app data.
#[derive(Clone)]
pub struct CookieConfig {
    /// Under https every cookie is `Secure` and carries the `__Host-` prefix.
    pub secure: bool,
    pub csrf_name: &'static str,
    pub browser_name: &'static str,
    /// Names the sign-in in flight at an organization's identity provider.
    pub sso_name: &'static str,
    /// Signs CSRF tokens (derived from the secret key).
    pub csrf_key: [u8; 32],
    /// `scheme://host[:port]` of the public URL, which browsers send as `Origin`.
    pub public_origin: String,
}

impl CookieConfig {
    pub fn of(req: &HttpRequest) -> Result<&Self, AppError> {
        req.app_data::<web::Data<Self>>()
            .map(|data| data.get_ref())
            .ok_or_else(|| AppError::unexpected("cookie config missing"))
    }

    /// An HttpOnly, SameSite=Lax cookie on `/`, Secure under https.
    pub fn build(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .finish()
    }
}

/// The browser the request comes from, as named by its long-lived cookie; a browser without
/// one is given a new id, which `remember` sets on the response.
pub struct Browser {
    pub id: BrowserId,
    is_new: bool,
    cookie_name: &'static str,
    config: CookieConfig,
}

/// Browsers forget cookies older than 400 days anyway.
const BROWSER_COOKIE_DAYS: i64 = 400;

impl Browser {
    /// Sets the cookie on `res` if this browser did not have it yet.
    pub fn remember(&self, res: &mut HttpResponse) -> Result<(), AppError> {
        if self.is_new {
            let mut cookie = self
                .config
                .build(self.cookie_name, self.id.as_str().to_owned());
            cookie.set_max_age(Duration::days(BROWSER_COOKIE_DAYS));
            res.add_cookie(&cookie).map_err(AppError::unexpected)?;
        }
        Ok(())
    }
}

impl FromRequest for Browser {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(CookieConfig::of(req).map(|config| {
            let existing = req
                .cookie(config.browser_name)
                .and_then(|c| BrowserId::from_cookie(c.value()));
            Browser {
                is_new: existing.is_none(),
                id: existing.unwrap_or_else(BrowserId::generate),
                cookie_name: config.browser_name,
                config: config.clone(),
            }
        }))
    }
}
