//! Where a sign-in, sign-up or recovery page belongs: the deployment's own pages (`/login`),
//! or an organization's branded ones (`/o/{slug}/login`), which use its password connection.
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::domain::{ConnectionId, Organization, Slug};
use crate::error::AppError;
use crate::services::organizations;
use crate::state::AppState;

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

    /// The organization's slug; `None` on the deployment's own pages.
    pub fn slug(&self) -> Option<&Slug> {
        self.org.as_ref().map(|org| &org.slug)
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
            let org = organizations::realm(state, &slug).await?;
            Ok(Realm { org: Some(org) })
        })
    }
}
