//! Scopes: what an application asks to learn. Unknown values are dropped, as OpenID Connect
//! asks (Core §3.1.2.1); `openid` is required of a sign-in.
use super::OAuthError;

/// The scopes Usher grants to a sign-in, in the order discovery lists them.
pub const SUPPORTED: [&str; 4] = ["openid", "profile", "email", "offline_access"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(Vec<&'static str>);

impl Scope {
    /// The granted part of a requested `scope`; `invalid_scope` without `openid`.
    pub fn for_sign_in(requested: &str) -> Result<Self, OAuthError> {
        let scope = Self::from_stored(requested);
        if !scope.has("openid") {
            return Err(OAuthError::new(
                super::ErrorCode::InvalidScope,
                "scope must include openid",
            ));
        }
        Ok(scope)
    }

    /// A scope as stored with a code or token (already checked).
    pub fn from_stored(value: &str) -> Self {
        let asked: Vec<&str> = value.split(' ').collect();
        Self(
            SUPPORTED
                .into_iter()
                .filter(|known| asked.contains(known))
                .collect(),
        )
    }

    pub fn has(&self, scope: &str) -> bool {
        self.0.contains(&scope)
    }

    /// This scope narrowed to `requested` (a refresh may ask for less, never for more).
    pub fn narrowed_to(&self, requested: &str) -> Result<Self, OAuthError> {
        let asked = Self::from_stored(requested);
        if asked.0.iter().any(|scope| !self.has(scope)) {
            return Err(OAuthError::new(
                super::ErrorCode::InvalidScope,
                "a refresh cannot ask for a scope the grant does not have",
            ));
        }
        Ok(asked)
    }

    pub fn to_string_list(&self) -> String {
        self.0.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_scopes_are_dropped_and_openid_is_required() {
        let scope = Scope::for_sign_in("email openid calendar").unwrap();
        assert_eq!(scope.to_string_list(), "openid email");
        assert!(Scope::for_sign_in("email profile").is_err());
    }

    #[test]
    fn a_refresh_may_narrow_but_not_widen() {
        let granted = Scope::from_stored("openid email offline_access");
        assert_eq!(
            granted.narrowed_to("openid").unwrap().to_string_list(),
            "openid"
        );
        assert!(granted.narrowed_to("openid profile").is_err());
    }
}
