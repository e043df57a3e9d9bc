//! An organization's own OpenID Connect identity provider, as a connection: which claims carry
//! a person's profile, which of their groups grant which role, and what a sign-in through it
//! may do. Pure rules; fetching and verifying happen in `services::sso`.
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ConnectionId, Email, OrganizationId, Role};

/// The claims a profile is read from. The defaults are the standard claims, and `groups`,
/// which Okta, Microsoft Entra ID, Keycloak and Authentik all use for group membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimMap {
    pub email: String,
    pub name: String,
    pub given_name: String,
    pub family_name: String,
    pub groups: String,
}

impl Default for ClaimMap {
    fn default() -> Self {
        Self {
            email: "email".into(),
            name: "name".into(),
            given_name: "given_name".into(),
            family_name: "family_name".into(),
            groups: "groups".into(),
        }
    }
}

/// One line of the group-to-role mapping: members of `group` get `role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRule {
    pub group: String,
    pub role: Role,
}

/// The group-to-role mapping: the first rule whose group the person is in decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleRules(pub Vec<RoleRule>);

#[derive(Serialize, Deserialize)]
struct StoredRule {
    group: String,
    role: String,
}

impl RoleRules {
    /// Rules typed one per line as `group = role`; blank lines are skipped. The message names
    /// the first line that is not a rule.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rules = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let refused = || format!("Line {}: write each rule as group = role.", index + 1);
            let (group, role) = line.rsplit_once('=').ok_or_else(refused)?;
            let (group, role) = (group.trim(), role.trim());
            if group.is_empty() {
                return Err(refused());
            }
            let role = Role::parse(role).map_err(|_| {
                format!(
                    "Line {}: the role must be owner, admin or member.",
                    index + 1
                )
            })?;
            rules.push(RoleRule {
                group: group.to_owned(),
                role,
            });
        }
        Ok(Self(rules))
    }

    /// The rules as the form shows them, one per line.
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|rule| format!("{} = {}", rule.group, rule.role.as_str()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The role for someone in `groups`: the first matching rule's, else `default`.
    pub fn role_for(&self, groups: &[String], default: Role) -> Role {
        self.0
            .iter()
            .find(|rule| groups.contains(&rule.group))
            .map_or(default, |rule| rule.role)
    }

    pub fn to_json(&self) -> String {
        let stored: Vec<StoredRule> = self
            .0
            .iter()
            .map(|rule| StoredRule {
                group: rule.group.clone(),
                role: rule.role.as_str().to_owned(),
            })
            .collect();
        serde_json::to_string(&stored).unwrap_or_else(|_| "[]".into())
    }

    /// The rules as stored; `None` when the stored text is not rules this version reads.
    pub fn from_json(json: &str) -> Option<Self> {
        let stored: Vec<StoredRule> = serde_json::from_str(json).ok()?;
        stored
            .into_iter()
            .map(|rule| {
                Some(RoleRule {
                    role: Role::from_stored(&rule.role)?,
                    group: rule.group,
                })
            })
            .collect::<Option<Vec<_>>>()
            .map(Self)
    }
}

/// What the organization's admins choose about their identity provider.
#[derive(Debug, Clone)]
pub struct SsoSettings {
    /// What people see on the button: "Sign in with <display_name>".
    pub display_name: String,
    pub scopes: Vec<String>,
    pub claim_map: ClaimMap,
    pub role_rules: RoleRules,
    pub default_role: Role,
    /// Whether a first sign-in creates the person (just-in-time provisioning).
    pub create_users: bool,
    /// Whether the name, email and role follow the provider on every sign-in, or are set
    /// once at the first.
    pub update_every_sign_in: bool,
    /// Whether the organization's verified domains must sign in here, never with a password.
    pub enforce_sso: bool,
}

/// The scopes a connection asks for unless its admins choose others.
pub const DEFAULT_SCOPES: &str = "openid email profile";

/// Scopes typed separated by spaces: `openid` is always among them.
pub fn parse_scopes(text: &str) -> Result<Vec<String>, &'static str> {
    let scopes: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    if scopes.iter().any(|scope| {
        !scope
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
    }) {
        return Err("Scopes are words separated by spaces.");
    }
    if !scopes.iter().any(|scope| scope == "openid") {
        return Err("The scopes must include openid.");
    }
    Ok(scopes)
}

/// An organization's identity provider as Usher keeps it.
#[derive(Debug, Clone)]
pub struct OidcConnection {
    pub connection_id: ConnectionId,
    pub organization_id: OrganizationId,
    pub issuer: String,
    pub client_id: String,
    /// The client secret, sealed with the secret key for this connection.
    pub sealed_secret: String,
    pub settings: SsoSettings,
    /// The role of who last changed it (see `provisioning`: no account above it is linked).
    pub managed_by_role: Role,
    pub enabled: bool,
    /// The provider's discovery document and key set, as last fetched (JSON).
    pub metadata: String,
    pub jwks: String,
    pub jwks_fetched_at: i64,
    pub last_success_at: Option<i64>,
    pub last_error_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

impl OidcConnection {
    /// Where the seal of this connection's client secret is bound.
    pub fn secret_context(id: &ConnectionId) -> String {
        format!("oidc client secret {id}")
    }
}

/// What an identity provider said about a person, read through a claim map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalProfile {
    /// The provider's stable id of the person (`sub`).
    pub subject: String,
    pub email: Option<Email>,
    /// The provider says it checked the person owns the mailbox (`email_verified`).
    pub email_verified: bool,
    pub name: Option<String>,
    pub groups: Vec<String>,
}

impl ExternalProfile {
    /// The profile in `claims` (the ID token's claims with the userinfo answer's over them).
    pub fn read(subject: String, claims: &Map<String, Value>, map: &ClaimMap) -> Self {
        let text = |claim: &str| {
            claims
                .get(claim)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let name = text(&map.name).or_else(|| {
            let parts: Vec<String> = [text(&map.given_name), text(&map.family_name)]
                .into_iter()
                .flatten()
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        // Some providers send `"email_verified": "true"`. It vouches for the `email` claim only:
        // an address read from another claim (a username, a UPN) is never taken as verified.
        let email_verified = map.email == "email"
            && match claims.get("email_verified") {
                Some(Value::Bool(verified)) => *verified,
                Some(Value::String(verified)) => verified == "true",
                _ => false,
            };
        let groups = match claims.get(&map.groups) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        Self {
            subject,
            email: text(&map.email).and_then(|email| Email::parse(&email).ok()),
            email_verified,
            name,
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn the_first_matching_rule_decides_the_role() {
        let rules = RoleRules::parse("admins = admin\n\nengineering=member\nall = owner").unwrap();
        let groups = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rules.role_for(&groups(&["all", "admins"]), Role::Member),
            Role::Admin
        );
        assert_eq!(
            rules.role_for(&groups(&["sales"]), Role::Member),
            Role::Member
        );
        assert_eq!(rules.role_for(&[], Role::Admin), Role::Admin);
        assert_eq!(RoleRules::from_json(&rules.to_json()), Some(rules.clone()));
        assert_eq!(RoleRules::parse(&rules.to_text()), Ok(rules));
    }

    #[test]
    fn a_line_that_is_not_a_rule_is_named() {
        assert_eq!(
            RoleRules::parse("admins = admin\nnonsense"),
            Err("Line 2: write each rule as group = role.".to_owned())
        );
        assert_eq!(
            RoleRules::parse("admins = king"),
            Err("Line 1: the role must be owner, admin or member.".to_owned())
        );
    }

    #[test]
    fn the_profile_is_read_through_the_claim_map() {
        let map = ClaimMap::default();
        let profile = ExternalProfile::read(
            "abc".into(),
            &claims(json!({
                "email": "Ada@Acme.com", "email_verified": true,
                "given_name": "Ada", "family_name": "Lovelace", "groups": ["eng", 7],
            })),
            &map,
        );
        assert_eq!(
            profile.email.map(|e| e.to_string()),
            Some("ada@acme.com".into())
        );
        assert!(profile.email_verified);
        assert_eq!(profile.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(profile.groups, vec!["eng".to_owned()]);

        let custom = ClaimMap {
            email: "mail".into(),
            groups: "roles".into(),
            ..ClaimMap::default()
        };
        let profile = ExternalProfile::read(
            "abc".into(),
            &claims(json!({"mail": "x@y.com", "email_verified": "true", "roles": "ops"})),
            &custom,
        );
        assert!(
            !profile.email_verified,
            "email_verified vouches for `email` only"
        );
        assert_eq!(profile.groups, vec!["ops".to_owned()]);
        assert_eq!(profile.name, None);
    }

    #[test]
    fn scopes_always_include_openid() {
        assert_eq!(
            parse_scopes("openid email groups"),
            Ok(vec!["openid".into(), "email".into(), "groups".into()])
        );
        assert!(parse_scopes("email profile").is_err());
        assert!(parse_scopes("openid \"x\"").is_err());
    }
}
