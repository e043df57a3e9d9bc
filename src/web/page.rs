//! What every page shows besides its own content: the CSRF token, a notice, the signed-in
//! user, the current organization, and an organization's branding on its own pages.
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::notice::Notice;
use super::sign_in::realm::Realm;
use super::urls;
use crate::auth::TypedSession;
use crate::auth::csrf;
use crate::auth::current_user::signed_in_user;
use crate::domain::{Organization, PasswordRules, Slug, User};
use crate::error::AppError;
use crate::services::{members, organizations};
use crate::state::AppState;

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
    pub slug: Slug,
    /// See `urls::logo_src`.
    pub logo_url: Option<String>,
    /// The organization chose colours of its own: the page links its `brand.css`.
    pub has_color: bool,
}

impl Brand {
    pub fn of(org: &Organization) -> Self {
        Self {
            name: org.name.clone(),
            slug: org.slug.clone(),
            logo_url: urls::logo_src(org),
            has_color: org.has_colors(),
        }
    }
}

impl Page {
    /// The hint under every new-password field.
    pub fn password_hint(&self) -> String {
        self.password_rules.hint()
    }

    /// Brands the page for the realm it belongs to.
    pub fn in_realm(mut self, realm: &Realm) -> Self {
        self.base = urls::realm_base(realm.slug());
        self.brand = realm.org.as_ref().map(Brand::of);
        self
    }

    /// Brands a page of `org` that is not one of its realm's forms (an invitation).
    pub fn branded(self, org: &Organization) -> Self {
        Self {
            brand: Some(Brand::of(org)),
            ..self
        }
    }

    /// Shows `name` as the organization being worked in.
    pub fn working_in(self, name: &str) -> Self {
        Self {
            current_org: Some(name.to_owned()),
            ..self
        }
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
            let current_org = match (&user, state) {
                (Some(user), Some(state)) => current_org_name(&req, state, user).await?,
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

/// The name of the organization in the session while the user is still its member; a
/// membership that ended (removed, left) is cleared from the session.
async fn current_org_name(
    req: &HttpRequest,
    state: &AppState,
    user: &User,
) -> Result<Option<String>, AppError> {
    let session = TypedSession::extract(req).await?;
    let Some(org) = session.org_id().map_err(AppError::unexpected)? else {
        return Ok(None);
    };
    if members::role_in(state, &user.id, &org).await?.is_none() {
        session.clear_org();
        return Ok(None);
    }
    Ok(organizations::name_of(state, &org).await?)
}
