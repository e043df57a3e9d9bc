//! Where a sign-in, sign-up or recovery page belongs: the deployment's own pages (`/login`),
//! or an organization's branded ones (`/o/{slug}/login`), which use its password connection.
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::domain::{ConnectionId, Organization, Slug};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::organizations;

pub struct Realm {
    pub org: Option<Organization>,
}

impl Realm {
    /// The connection whose accounts sign in here.
    pub fn connection(&self) -> ConnectionId {
        self.org
            .as_ref()
            .map_or_else(ConnectionId::default_password, |org| {
                org.connection_id.clone()
            })
    }

    /// The path prefix of this realm's pages: "" or "/o/{slug}".
    pub fn base(&self) -> String {
        self.org
            .as_ref()
            .map(|org| format!("/o/{}", org.slug))
            .unwrap_or_default()
    }
}

impl FromRequest for Realm {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let Some(segment) = req.match_info().get("slug") else {
                return Ok(Realm { org: None });
            };
            let slug = Slug::from_path(segment).ok_or(AppError::NotFound)?;
            let state = AppState::of(&req)?;
            let org = organizations::find_by_slug(state.store.pool(), slug.as_str())
                .await?
                .ok_or(AppError::NotFound)?;
            AppError::unless_active(&org)?;
            Ok(Realm { org: Some(org) })
        })
    }
}
