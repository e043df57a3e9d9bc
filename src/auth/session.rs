//! The session as Usher uses it: who is signed in, nothing else.
use actix_session::{Session, SessionExt, SessionGetError, SessionInsertError};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::{Ready, ready};

use crate::domain::{OrganizationId, UserId};

pub const USER_ID_KEY: &str = "user_id";
const ORG_ID_KEY: &str = "org_id";
/// When the person signed in (Unix seconds): the ID token's `auth_time`.
const AUTH_TIME_KEY: &str = "auth_time";
/// A random id of each sign-in: the ID token's `sid`, and what signing out revokes by.
pub const SID_KEY: &str = "sid";
/// The authorization request waiting for this browser to sign in or pick an organization.
const PENDING_AUTHORIZATION_KEY: &str = "pending_authorization";
/// The organization whose identity provider this sign-in came through: the only one it opens.
const SSO_ORG_KEY: &str = "sso_org";
/// A random value of each signed-in session, which its CSRF tokens are bound to.
pub const CSRF_BINDING_KEY: &str = "csrf_binding";

pub struct TypedSession(Session);

impl TypedSession {
    /// Starts a signed-in session under a fresh id (no session fixation).
    pub fn sign_in(&self, user: &UserId) -> Result<(), SessionInsertError> {
        self.0.renew();
        self.0.remove(SSO_ORG_KEY);
        self.0.insert(USER_ID_KEY, user.as_str())?;
        self.0.insert(AUTH_TIME_KEY, crate::store::now())?;
        self.0
            .insert(SID_KEY, crate::domain::EmailToken::generate().as_str())?;
        self.0.insert(
            CSRF_BINDING_KEY,
            crate::domain::EmailToken::generate().as_str(),
        )
    }

    /// When the signed-in person signed in (0 for a session older than the record of it).
    pub fn auth_time(&self) -> i64 {
        self.0.get::<i64>(AUTH_TIME_KEY).ok().flatten().unwrap_or(0)
    }

    /// The id of this sign-in, shared by the tokens issued in it.
    pub fn sid(&self) -> Option<String> {
        self.0.get::<String>(SID_KEY).ok().flatten()
    }

    /// Forgets who is signed in but keeps the session, for a sign-in asked to happen again
    /// (`prompt=login`).
    pub fn forget_user(&self) {
        for key in [
            USER_ID_KEY,
            ORG_ID_KEY,
            AUTH_TIME_KEY,
            SID_KEY,
            SSO_ORG_KEY,
            CSRF_BINDING_KEY,
        ] {
            self.0.remove(key);
        }
        self.0.renew();
    }

    pub fn set_pending_authorization(&self, id: &str) -> Result<(), SessionInsertError> {
        self.0.insert(PENDING_AUTHORIZATION_KEY, id)
    }

    pub fn pending_authorization(&self) -> Option<String> {
        self.0
            .get::<String>(PENDING_AUTHORIZATION_KEY)
            .ok()
            .flatten()
    }

    pub fn clear_pending_authorization(&self) {
        self.0.remove(PENDING_AUTHORIZATION_KEY);
    }

    pub fn user_id(&self) -> Result<Option<UserId>, SessionGetError> {
        Ok(self.0.get::<String>(USER_ID_KEY)?.map(UserId::from_stored))
    }

    /// The organization the user is working in.
    pub fn org_id(&self) -> Result<Option<OrganizationId>, SessionGetError> {
        Ok(self
            .0
            .get::<String>(ORG_ID_KEY)?
            .map(OrganizationId::from_stored))
    }

    pub fn set_org(&self, org: &OrganizationId) -> Result<(), SessionInsertError> {
        if self.org_id().ok().flatten().as_ref() == Some(org) {
            return Ok(());
        }
        self.0.insert(ORG_ID_KEY, org.as_str())
    }

    /// Confines this sign-in to `org`: it came through that organization's identity provider,
    /// which vouches for the person there and nowhere else.
    pub fn confine_to(&self, org: &OrganizationId) -> Result<(), SessionInsertError> {
        self.0.insert(SSO_ORG_KEY, org.as_str())
    }

    /// The one organization this sign-in may open, when it came through an identity provider.
    pub fn confined_to(&self) -> Option<OrganizationId> {
        self.0
            .get::<String>(SSO_ORG_KEY)
            .ok()
            .flatten()
            .map(OrganizationId::from_stored)
    }

    /// Forgets the organization the user was working in (their membership ended).
    pub fn clear_org(&self) {
        self.0.remove(ORG_ID_KEY);
    }

    /// Ends the session: its row is deleted, so a replayed cookie finds nothing.
    pub fn sign_out(&self) {
        self.0.purge();
    }
}

impl FromRequest for TypedSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(req.get_session())))
    }
}
