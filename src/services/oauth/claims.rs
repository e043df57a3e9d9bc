//! Who a token is about: the user and, when the sign-in was to an organization, their
//! membership, read afresh on every grant so that a removed member or a blocked user gets no
//! new tokens.
use serde_json::{Map, Value, json};

use crate::domain::oauth::{OAuthError, Scope};
use crate::domain::{Organization, OrganizationId, Role, User, UserId};
use crate::services::Result;
use crate::store::{Store, memberships, organizations, users};

pub struct Subject {
    pub user: User,
    pub org: Option<(Organization, Role)>,
}

impl Subject {
    /// The claims that name the organization and role, when there is one.
    pub fn org_claims(&self) -> Map<String, Value> {
        let mut claims = Map::new();
        if let Some((org, role)) = &self.org {
            claims.insert("org_id".into(), json!(org.id.as_str()));
            claims.insert("org_name".into(), json!(org.name));
            claims.insert("org_role".into(), json!(role.as_str()));
        }
        claims
    }

    /// The userinfo response's claims for `scope` (OpenID Connect Core §5.4).
    pub fn userinfo(&self, scope: &Scope) -> Value {
        let mut claims = self.org_claims();
        claims.insert("sub".into(), json!(self.user.id.as_str()));
        if scope.has("email") {
            claims.insert("email".into(), json!(self.user.email.as_str()));
            claims.insert("email_verified".into(), json!(self.user.email_verified));
        }
        if scope.has("profile") {
            claims.insert("name".into(), json!(self.user.name.as_str()));
        }
        Value::Object(claims)
    }
}

/// The user and their membership, or `invalid_grant` when the user is gone or blocked, or is
/// no longer a member of the organization, or it is suspended.
pub async fn subject(
    store: &Store,
    user: &UserId,
    org: Option<&OrganizationId>,
) -> Result<Subject> {
    let gone = OAuthError::invalid_grant("the person's access has ended");
    let user = users::find_by_id(store.pool(), user)
        .await?
        .filter(|user| !user.blocked)
        .ok_or(gone.clone())?;
    let org = match org {
        None => None,
        Some(id) => {
            let org = organizations::find_by_id(store.pool(), id)
                .await?
                .filter(|org| !org.is_suspended())
                .ok_or(gone.clone())?;
            let role = memberships::find_role(store.pool(), id, &user.id)
                .await?
                .ok_or(gone)?;
            Some((org, role))
        }
    };
    Ok(Subject { user, org })
}
