//! Extractors for the caller's identity. A handler that takes `CurrentUser` only runs for a
//! signed-in, unblocked user; one that takes `Operator` only for a platform operator.
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::TypedSession;
use crate::domain::User;
use crate::error::AppError;
use crate::services::account;
use crate::state::AppState;

/// The signed-in user, loaded once per request.
#[derive(Clone)]
struct Loaded(Option<User>);

/// The user behind the request's session, if any. Blocked users are signed out here, on
/// every request, not only at sign-in.
pub async fn signed_in_user(req: &HttpRequest) -> Result<Option<User>, AppError> {
    if let Some(Loaded(user)) = req.extensions().get::<Loaded>() {
        return Ok(user.clone());
    }
    let session = TypedSession::extract(req).await?;
    let user = match session.user_id().map_err(AppError::unexpected)? {
        None => None,
        Some(id) => {
            let state = AppState::of(req)?;
            match account::signed_in_user(state, &id).await? {
                Some(user) => Some(user),
                None => {
                    session.sign_out();
                    None
                }
            }
        }
    };
    req.extensions_mut().insert(Loaded(user.clone()));
    Ok(user)
}

pub struct CurrentUser(pub User);

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            signed_in_user(&req)
                .await?
                .map(CurrentUser)
                .ok_or(AppError::SignInRequired)
        })
    }
}

/// A platform operator. Signed-in people who are not get 404, so that the portal does not
/// reveal itself to them; anonymous visitors are asked to sign in.
pub struct Operator(pub User);

impl FromRequest for Operator {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match signed_in_user(&req).await? {
                Some(user) if user.is_operator => Ok(Operator(user)),
                Some(_) => Err(AppError::NotFound),
                None => Err(AppError::SignInRequired),
            }
        })
    }
}
