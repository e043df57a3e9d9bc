//! Every path Usher serves, named once. The route table registers `pattern()`; pages,
//! redirects and mail links build their paths from the same variants, so that a path
//! changes in one place.
use std::fmt;

use url::Url;

use crate::domain::branding::LogoSource;
use crate::domain::{ConnectionId, EmailToken, Organization, Slug};

/// The routes of the browser face. A pattern's `{…}` part is a path parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urls {
    Start,
    Healthz,
    Readyz,
    Static,
    Logout,
    VerifyEmail,
    ResetPassword,
    UnlockAccount,
    Account,
    AccountName,
    AccountPassword,
    OrgSignUp,
    Orgs,
    OrgSwitch,
    Invitation,
    OrgHome,
    OrgMembers,
    OrgBrandCss,
    OrgLogo,
    OrgLeave,
    OrgAdmin,
    OrgAdminMembers,
    OrgAdminMemberRole,
    OrgAdminMemberRemove,
    OrgAdminInvitations,
    OrgAdminInvitationsUpload,
    OrgAdminInvitationResend,
    OrgAdminInvitationRevoke,
    OrgAdminBranding,
    OrgAdminBrandingPreviewCss,
    OrgAdminSettings,
    OrgAdminDomains,
    OrgAdminDomainVerify,
    OrgAdminDomainRemove,
    OrgAdminAudit,
    OrgAdminAuditCsv,
    OrgAdminSso,
    OrgAdminSsoConnection,
    OrgAdminSsoSecret,
    OrgAdminSsoEnable,
    OrgAdminSsoDisable,
    OrgAdminSsoDelete,
    OrgAdminSsoTest,
    SsoStart,
    SsoCallback,
    Operator,
    OperatorOrgs,
    OperatorNewOrg,
    OperatorOrg,
    OperatorSuspend,
    OperatorOrgLanding,
    OperatorReactivate,
    OperatorInvite,
    OperatorUsers,
    OperatorBlockUser,
    OperatorUnblockUser,
    OperatorAudit,
    OperatorApps,
    OperatorNewApp,
    OperatorApp,
    OperatorAppSecret,
    OperatorImports,
    OperatorImport,
    OperatorImportFailures,
    OperatorLegacyStores,
    OperatorNewLegacyStore,
    OperatorLegacyStore,
    OperatorEditLegacyStore,
    OperatorLegacyStoreOrgs,
    OperatorLegacyStoreOrgRemove,
    OperatorLegacyStoreImport,
    OperatorSetup,
    OAuthAuthorize,
    OAuthContinue,
    OAuthPickOrg,
    OAuthLogout,
    DevMail,
    DevMailMessage,
}

impl Urls {
    pub const fn pattern(self) -> &'static str {
        match self {
            Self::Start => "/",
            Self::Healthz => "/healthz",
            Self::Readyz => "/readyz",
            Self::Static => "/static/{file:.*}",
            Self::Logout => "/logout",
            Self::VerifyEmail => "/verify-email",
            Self::ResetPassword => "/reset-password",
            Self::UnlockAccount => "/unlock-account",
            Self::Account => "/account",
            Self::AccountName => "/account/name",
            Self::AccountPassword => "/account/password",
            Self::OrgSignUp => "/signup/organization",
            Self::Orgs => "/orgs",
            Self::OrgSwitch => "/orgs/switch",
            Self::Invitation => "/invitations/{token}",
            Self::OrgHome => "/o/{slug}",
            Self::OrgMembers => "/o/{slug}/members",
            Self::OrgBrandCss => "/o/{slug}/brand.css",
            Self::OrgLogo => "/o/{slug}/logo",
            Self::OrgLeave => "/o/{slug}/leave",
            Self::OrgAdmin => "/o/{slug}/admin",
            Self::OrgAdminMembers => "/o/{slug}/admin/members",
            Self::OrgAdminMemberRole => "/o/{slug}/admin/members/{user_id}/role",
            Self::OrgAdminMemberRemove => "/o/{slug}/admin/members/{user_id}/remove",
            Self::OrgAdminInvitations => "/o/{slug}/admin/invitations",
            Self::OrgAdminInvitationsUpload => "/o/{slug}/admin/invitations/upload",
            Self::OrgAdminInvitationResend => "/o/{slug}/admin/invitations/{id}/resend",
            Self::OrgAdminInvitationRevoke => "/o/{slug}/admin/invitations/{id}/revoke",
            Self::OrgAdminBranding => "/o/{slug}/admin/branding",
            Self::OrgAdminBrandingPreviewCss => "/o/{slug}/admin/branding/preview.css",
            Self::OrgAdminSettings => "/o/{slug}/admin/settings",
            Self::OrgAdminDomains => "/o/{slug}/admin/domains",
            Self::OrgAdminDomainVerify => "/o/{slug}/admin/domains/{id}/verify",
            Self::OrgAdminDomainRemove => "/o/{slug}/admin/domains/{id}/remove",
            Self::OrgAdminAudit => "/o/{slug}/admin/audit",
            Self::OrgAdminAuditCsv => "/o/{slug}/admin/audit.csv",
            Self::OrgAdminSso => "/o/{slug}/admin/sso",
            Self::OrgAdminSsoConnection => "/o/{slug}/admin/sso/{id}",
            Self::OrgAdminSsoSecret => "/o/{slug}/admin/sso/{id}/secret",
            Self::OrgAdminSsoEnable => "/o/{slug}/admin/sso/{id}/enable",
            Self::OrgAdminSsoDisable => "/o/{slug}/admin/sso/{id}/disable",
            Self::OrgAdminSsoDelete => "/o/{slug}/admin/sso/{id}/delete",
            Self::OrgAdminSsoTest => "/o/{slug}/admin/sso/{id}/test",
            Self::SsoStart => "/sso/{id}/start",
            Self::SsoCallback => "/sso/{id}/callback",
            Self::Operator => "/admin",
            Self::OperatorOrgs => "/admin/orgs",
            Self::OperatorNewOrg => "/admin/orgs/new",
            Self::OperatorOrg => "/admin/orgs/{slug}",
            Self::OperatorSuspend => "/admin/orgs/{slug}/suspend",
            Self::OperatorOrgLanding => "/admin/orgs/{slug}/landing",
            Self::OperatorReactivate => "/admin/orgs/{slug}/reactivate",
            Self::OperatorInvite => "/admin/orgs/{slug}/invite",
            Self::OperatorUsers => "/admin/users",
            Self::OperatorBlockUser => "/admin/users/{id}/block",
            Self::OperatorUnblockUser => "/admin/users/{id}/unblock",
            Self::OperatorAudit => "/admin/audit",
            Self::OperatorApps => "/admin/apps",
            Self::OperatorNewApp => "/admin/apps/new",
            Self::OperatorApp => "/admin/apps/{client_id}",
            Self::OperatorAppSecret => "/admin/apps/{client_id}/secret",
            Self::OperatorImports => "/admin/imports",
            Self::OperatorImport => "/admin/imports/{id}",
            Self::OperatorImportFailures => "/admin/imports/{id}/failed-rows.csv",
            Self::OperatorLegacyStores => "/admin/legacy",
            Self::OperatorNewLegacyStore => "/admin/legacy/new",
            Self::OperatorLegacyStore => "/admin/legacy/{id}",
            Self::OperatorEditLegacyStore => "/admin/legacy/{id}/edit",
            Self::OperatorLegacyStoreOrgs => "/admin/legacy/{id}/organizations",
            Self::OperatorLegacyStoreOrgRemove => "/admin/legacy/{id}/organizations/remove",
            Self::OperatorLegacyStoreImport => "/admin/legacy/{id}/import",
            Self::OperatorSetup => "/setup/operator",
            Self::OAuthAuthorize => "/oauth/authorize",
            Self::OAuthContinue => "/oauth/authorize/continue",
            Self::OAuthPickOrg => "/oauth/authorize/organization",
            Self::OAuthLogout => "/oauth/logout",
            Self::DevMail => "/dev/mail",
            Self::DevMailMessage => "/dev/mail/{id}",
        }
    }

    /// The path with its one parameter filled in (`/o/{slug}` → `/o/acme`).
    pub fn with(self, value: impl fmt::Display) -> String {
        fill(self.pattern(), &[&value])
    }

    /// The path with its two parameters filled in, in order
    /// (`/o/{slug}/admin/members/{user_id}/role`).
    pub fn with2(self, first: impl fmt::Display, second: impl fmt::Display) -> String {
        fill(self.pattern(), &[&first, &second])
    }
}

/// Replaces the pattern's `{…}` parts with `values`, left to right.
fn fill(pattern: &str, values: &[&dyn fmt::Display]) -> String {
    let mut path = String::new();
    let mut rest = pattern;
    for value in values {
        let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else {
            break;
        };
        path.push_str(&rest[..open]);
        path.push_str(&value.to_string());
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    path
}

/// Routes without parameters print as their path, as templates and redirects use them.
impl fmt::Display for Urls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pattern())
    }
}

/// The sign-in, sign-up and recovery pages, which exist for the deployment and, branded, for
/// each organization: mounted at the realm's base ("" or "/o/{slug}").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealmUrls {
    Login,
    LoginPassword,
    SignUp,
    ForgotPassword,
    ResendVerification,
}

impl RealmUrls {
    /// Every realm's pages are registered under these two bases.
    pub const BASES: [&'static str; 2] = ["", "/o/{slug}"];

    pub const fn suffix(self) -> &'static str {
        match self {
            Self::Login => "/login",
            Self::LoginPassword => "/login/password",
            Self::SignUp => "/signup",
            Self::ForgotPassword => "/forgot-password",
            Self::ResendVerification => "/verify-email/resend",
        }
    }

    /// The page in the deployment's realm (`None`) or in an organization's.
    pub fn of(self, org: Option<&Slug>) -> String {
        format!("{}{}", realm_base(org), self.suffix())
    }
}

/// The path prefix of a realm's pages: "" or "/o/{slug}".
pub fn realm_base(org: Option<&Slug>) -> String {
    org.map(|slug| Urls::OrgHome.with(slug)).unwrap_or_default()
}

/// The address pages show an organization's logo from: an uploaded one with its version in
/// the query, so that a new logo shows at once although the logo is cached for long.
pub fn logo_src(org: &Organization) -> Option<String> {
    Some(match org.logo()? {
        LogoSource::Uploaded { version } => {
            format!("{}?v={version}", Urls::OrgLogo.with(&org.slug))
        }
        LogoSource::Linked(url) => url.to_owned(),
    })
}

/// Absolute links for emails and the console, built from the public URL.
#[derive(Debug, Clone)]
pub struct Links {
    base: Url,
}

impl Links {
    pub fn new(base: Url) -> Self {
        Self { base }
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The OpenID Provider's issuer: the public URL without a trailing slash.
    pub fn issuer(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    /// The absolute URL of one of the OpenID Provider's endpoints.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer())
    }

    /// `host[:port]` of the public URL, as a browser sends it in `Host`.
    pub fn authority(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    fn absolute(&self, path: &str) -> String {
        let mut url = self.base.clone();
        url.set_path(path);
        url.to_string()
    }

    fn with_token(&self, route: Urls, token: &EmailToken) -> String {
        let mut url = self.base.clone();
        url.set_path(route.pattern());
        url.query_pairs_mut()
            .clear()
            .append_pair("token", token.as_str());
        url.to_string()
    }

    pub fn verify_email(&self, token: &EmailToken) -> String {
        self.with_token(Urls::VerifyEmail, token)
    }

    pub fn reset_password(&self, token: &EmailToken) -> String {
        self.with_token(Urls::ResetPassword, token)
    }

    pub fn unlock_account(&self, token: &EmailToken) -> String {
        self.with_token(Urls::UnlockAccount, token)
    }

    pub fn operator_setup(&self, token: &EmailToken) -> String {
        self.with_token(Urls::OperatorSetup, token)
    }

    pub fn invitation(&self, token: &EmailToken) -> String {
        self.absolute(&Urls::Invitation.with(token.as_str()))
    }

    /// The sign-in page of the deployment (`None`) or of an organization.
    pub fn login(&self, org: Option<&Slug>) -> String {
        self.absolute(&RealmUrls::Login.of(org))
    }

    /// Where an organization's identity provider sends people back to: the redirect URI its
    /// admins register there, one per connection.
    pub fn sso_callback(&self, connection: &ConnectionId) -> String {
        self.absolute(&Urls::SsoCallback.with(connection))
    }

    /// Where an organization's identity provider POSTs its back-channel logout tokens.
    pub fn sso_backchannel_logout(&self, connection: &ConnectionId) -> String {
        self.absolute(&format!("/sso/{connection}/backchannel-logout"))
    }

    pub fn forgot_password(&self, org: Option<&Slug>) -> String {
        self.absolute(&RealmUrls::ForgotPassword.of(org))
    }

    /// The organization's logo as emails show it: `logo_src`, absolute.
    pub fn logo(&self, org: &Organization) -> Option<String> {
        let src = logo_src(org)?;
        self.base.join(&src).ok().map(String::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fill_their_parameter() {
        let acme = Slug::from_stored("acme".into());
        assert_eq!(Urls::OrgMembers.with(&acme), "/o/acme/members");
        assert_eq!(Urls::Account.to_string(), "/account");
        assert_eq!(
            Urls::OrgAdminMemberRole.with2(&acme, "u1"),
            "/o/acme/admin/members/u1/role"
        );
        assert_eq!(RealmUrls::Login.of(None), "/login");
        assert_eq!(
            RealmUrls::ForgotPassword.of(Some(&acme)),
            "/o/acme/forgot-password"
        );
    }
}
