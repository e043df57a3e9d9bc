//! Tenant isolation as extractors: the organization of an org-scoped page comes from the
//! caller's verified membership, never from the request alone. Whoever is not a member gets
//! 404, so that another organization's pages do not even reveal that they exist.
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::TypedSession;
use super::current_user::signed_in_user;
use crate::domain::{Organization, Role, Slug, User};
use crate::error::AppError;
use crate::services::members::{self, Membership};
use crate::state::AppState;
use crate::web::urls::RealmUrls;

/// A member of the organization named by the `{slug}` in the path.
pub struct OrgMember {
    pub user: User,
    pub org: Organization,
    pub role: Role,
}

/// An owner or admin of the organization in the path.
pub struct OrgAdmin(pub OrgMember);

/// An owner of the organization in the path.
pub struct OrgOwner(pub OrgMember);

async fn extract_member(req: HttpRequest) -> Result<OrgMember, AppError> {
    let slug = req
        .match_info()
        .get("slug")
        .and_then(Slug::from_path)
        .ok_or(AppError::NotFound)?;
    let Some(user) = signed_in_user(&req).await? else {
        return Err(AppError::SignInRequiredAt(RealmUrls::Login.of(Some(&slug))));
    };
    let state = AppState::of(&req)?;
    let Membership { org, role } = members::membership(state, &user, &slug).await?;
    let session = TypedSession::extract(&req).await?;
    // A sign-in through one organization's identity provider opens that organization only:
    // another one asks the person to sign in there.
    if session.confined_to().is_some_and(|only| only != org.id) {
        return Err(AppError::SignInRequiredAt(RealmUrls::Login.of(Some(&slug))));
    }
    // Opening an organization's page makes it the one the user works in.
    session.set_org(&org.id).map_err(AppError::unexpected)?;
    Ok(OrgMember { user, org, role })
}

impl FromRequest for OrgMember {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(extract_member(req.clone()))
    }
}

impl FromRequest for OrgAdmin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let member = extract_member(req).await?;
            if member.role.can_manage_members() {
                Ok(OrgAdmin(member))
            } else {
                Err(AppError::NotFound)
            }
        })
    }
}

impl FromRequest for OrgOwner {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let member = extract_member(req).await?;
            if member.role == Role::Owner {
                Ok(OrgOwner(member))
            } else {
                Err(AppError::NotFound)
            }
        })
    }
}
