//! Organizations: slugs, names, membership modes, roles and branding rules.
use std::fmt;

use super::branding::LogoSource;
use super::{ConnectionId, OrganizationId};

/// A URL-safe organization handle, as in `/o/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

/// Words that name Usher's own pages or would mislead people if used as an organization.
const RESERVED: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "app",
    "account",
    "accounts",
    "auth",
    "dev",
    "help",
    "login",
    "logout",
    "mail",
    "new",
    "o",
    "oauth",
    "oidc",
    "operator",
    "org",
    "orgs",
    "organization",
    "organizations",
    "root",
    "security",
    "settings",
    "setup",
    "signup",
    "sso",
    "static",
    "status",
    "support",
    "system",
    "usher",
    "verify",
    "www",
];

impl Slug {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let slug = input.trim().to_lowercase();
        if slug.len() < 2 || slug.len() > 40 {
            return Err("Use 2 to 40 characters for the address.");
        }
        if !has_slug_shape(&slug) {
            return Err("Use lowercase letters, digits and single hyphens, like acme-corp.");
        }
        if RESERVED.contains(&slug.as_str()) {
            return Err("This address is reserved. Choose another one.");
        }
        Ok(Self(slug))
    }

    /// A slug proposed from an organization's name ("Acme Corp." → "acme-corp").
    pub fn propose(name: &str) -> String {
        let mut slug = String::new();
        for c in name.trim().to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        slug.trim_end_matches('-')
            .chars()
            .take(40)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned()
    }

    pub fn from_stored(slug: String) -> Self {
        Self(slug)
    }

    /// The slug in a URL path, if it could name an organization at all; anything else (a
    /// control character, a slash) is no organization's address and gets 404.
    pub fn from_path(segment: &str) -> Option<Self> {
        (segment.len() <= 40 && has_slug_shape(segment)).then(|| Self(segment.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn has_slug_shape(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

impl fmt::Display for OrgName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An organization's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgName(String);

impl OrgName {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let name = input.trim();
        if name.is_empty() {
            return Err("Enter the organization's name.");
        }
        if name.chars().count() > 100 {
            return Err("Use at most 100 characters for the organization's name.");
        }
        if name.chars().any(char::is_control) {
            return Err("The name cannot contain control characters.");
        }
        Ok(Self(name.to_owned()))
    }

    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an organization's users are its own (isolated) or shared with other organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipMode {
    /// A dedicated password connection: accounts exist in this organization only.
    Isolated,
    /// The shared connection: one account can belong to many organizations.
    Shared,
}

impl MembershipMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Isolated => "isolated",
            Self::Shared => "shared",
        }
    }

    /// The mode stored as `value`; `None` for a value this version does not know.
    pub fn from_stored(value: &str) -> Option<Self> {
        Self::parse(value).ok()
    }

    pub fn parse(input: &str) -> Result<Self, &'static str> {
        match input {
            "isolated" => Ok(Self::Isolated),
            "shared" => Ok(Self::Shared),
            _ => Err("Choose isolated or shared membership."),
        }
    }
}

impl fmt::Display for MembershipMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may join an organization without an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JoinPolicy {
    /// Nobody: only invited people get in (the default, as in most B2B products).
    #[default]
    InvitationOnly,
    /// Anyone whose verified email is at one of the organization's verified domains.
    VerifiedDomains,
    /// Anyone who signs up on its page.
    Anyone,
}

impl JoinPolicy {
    pub const ALL: [Self; 3] = [Self::InvitationOnly, Self::VerifiedDomains, Self::Anyone];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvitationOnly => "invitation",
            Self::VerifiedDomains => "verified_domain",
            Self::Anyone => "anyone",
        }
    }

    pub fn parse(input: &str) -> Result<Self, &'static str> {
        Self::from_stored(input).ok_or("Choose who may join.")
    }

    /// The policy stored as `value`; `None` for a value this version does not know.
    pub fn from_stored(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|policy| policy.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::InvitationOnly => "Invited people only",
            Self::VerifiedDomains => "Anyone with a verified email at one of our verified domains",
            Self::Anyone => "Anyone who signs up on our sign-up page",
        }
    }

    /// Whether the organization's sign-up page is open at all.
    pub fn opens_sign_up(self) -> bool {
        self != Self::InvitationOnly
    }
}

/// A member's role in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Member,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    pub fn parse(input: &str) -> Result<Self, &'static str> {
        match input {
            "owner" => Ok(Self::Owner),
            "admin" => Ok(Self::Admin),
            "member" => Ok(Self::Member),
            _ => Err("Choose owner, admin or member."),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Admin",
            Self::Member => "Member",
        }
    }

    /// The role stored as `value`; `None` for a value this version does not know.
    pub fn from_stored(value: &str) -> Option<Self> {
        Self::parse(value).ok()
    }

    /// Owners and admins manage the organization's members.
    pub fn can_manage_members(self) -> bool {
        self >= Self::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A logo address: https only, so pages never mix in insecure content.
pub fn parse_logo_url(input: &str) -> Result<Option<String>, &'static str> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    match url::Url::parse(input) {
        Ok(url) if url.scheme() == "https" && input.len() <= 500 => Ok(Some(url.to_string())),
        _ => Err("Enter an https:// address of an image, or leave it empty."),
    }
}

/// A colour as `#rrggbb`.
pub fn parse_color(input: &str) -> Result<Option<String>, &'static str> {
    let input = input.trim().to_lowercase();
    if input.is_empty() {
        return Ok(None);
    }
    let hex = input.strip_prefix('#').unwrap_or(&input);
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(Some(format!("#{hex}")))
    } else {
        Err("Enter a colour like #1a56db, or leave it empty.")
    }
}

/// One row of the operator's organization list.
#[derive(Debug, Clone)]
pub struct OrgSummary {
    pub id: OrganizationId,
    pub slug: Slug,
    pub name: String,
    pub mode: MembershipMode,
    pub suspended: bool,
    pub members: i64,
}

#[derive(Debug, Clone)]
pub struct Organization {
    pub id: OrganizationId,
    pub slug: Slug,
    pub name: String,
    pub mode: MembershipMode,
    pub connection_id: ConnectionId,
    pub suspended_reason: Option<String>,
    pub join_policy: JoinPolicy,
    pub invitation_lifetime: super::InvitationLifetime,
    /// An https address of a logo, set by the platform operator; see `logo`.
    pub logo_url: Option<String>,
    pub primary_color: Option<String>,
    pub background_color: Option<String>,
    /// The version of the logo its admins uploaded, if they did.
    pub logo_etag: Option<String>,
}

impl Organization {
    pub fn is_suspended(&self) -> bool {
        self.suspended_reason.is_some()
    }

    /// The logo its pages and emails show. An uploaded logo wins over the operator's https
    /// address: the admins who upload one mean it to be seen. Saving an upload, or removing
    /// the logo, also clears that address (`services::branding::save`), so that the portal
    /// alone decides from then on and a removed logo does not bring an older one back.
    pub fn logo(&self) -> Option<LogoSource<'_>> {
        match (&self.logo_etag, &self.logo_url) {
            (Some(version), _) => Some(LogoSource::Uploaded { version }),
            (None, Some(url)) => Some(LogoSource::Linked(url)),
            (None, None) => None,
        }
    }

    /// True when it set a colour of its own, which its `brand.css` then carries.
    pub fn has_colors(&self) -> bool {
        self.primary_color.is_some() || self.background_color.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_proposed_from_names() {
        assert_eq!(Slug::propose("Acme Corp."), "acme-corp");
        assert_eq!(Slug::propose("  Ünïcode & Co  "), "n-code-co");
        assert!(Slug::propose(&"x".repeat(80)).len() <= 40);
    }

    #[test]
    fn path_segments_that_cannot_be_slugs_are_no_organization() {
        assert!(Slug::from_path("acme-corp").is_some());
        for bad in ["acme\r\nSet-Cookie: x=1", "", "Acme", "a/b", "-a"] {
            assert!(Slug::from_path(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn slugs_refuse_bad_characters_and_reserved_words() {
        assert!(Slug::parse("acme-corp").is_ok());
        for bad in [
            "a",
            "Acme Corp",
            "acme_corp",
            "-acme",
            "acme-",
            "ac--me",
            "admin",
            "login",
            "o",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn roles_order_by_power() {
        assert!(Role::Owner.can_manage_members() && Role::Admin.can_manage_members());
        assert!(!Role::Member.can_manage_members());
        assert_eq!(Role::parse("owner"), Ok(Role::Owner));
        assert!(Role::parse("king").is_err());
    }

    #[test]
    fn an_uploaded_logo_wins_over_the_operators_address() {
        let mut org = Organization {
            id: OrganizationId::from_stored("o1".into()),
            slug: Slug::from_stored("acme".into()),
            name: "Acme".into(),
            mode: MembershipMode::Shared,
            connection_id: ConnectionId::default_password(),
            suspended_reason: None,
            join_policy: JoinPolicy::default(),
            invitation_lifetime: super::super::InvitationLifetime::from_stored(7),
            logo_url: None,
            primary_color: None,
            background_color: None,
            logo_etag: None,
        };
        assert_eq!(org.logo(), None);
        org.logo_url = Some("https://cdn.example.com/a.png".into());
        assert_eq!(
            org.logo(),
            Some(LogoSource::Linked("https://cdn.example.com/a.png"))
        );
        org.logo_etag = Some("abc".into());
        assert_eq!(org.logo(), Some(LogoSource::Uploaded { version: "abc" }));
        assert!(!org.has_colors());
        org.background_color = Some("#ffffff".into());
        assert!(org.has_colors());
    }

    #[test]
    fn branding_is_validated() {
        assert_eq!(parse_color("#1A56DB"), Ok(Some("#1a56db".into())));
        assert!(parse_color("red").is_err());
        assert!(parse_logo_url("http://example.com/logo.png").is_err());
        assert!(
            parse_logo_url("https://example.com/logo.png")
                .unwrap()
                .is_some()
        );
        assert_eq!(parse_logo_url(""), Ok(None));
    }
}
