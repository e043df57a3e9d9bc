//! One-time notices shown after a redirect ("Your email is verified"). The cookie carries
//! only a code from this list, so nobody can make Usher display text of their choosing.
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};

const COOKIE: &str = "usher_notice";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    EmailVerified,
    EmailVerifiedSlugTaken,
    AccountUnlocked,
    SignedOut,
    PasswordReset,
    PasswordChanged,
    NameSaved,
    OperatorCreated,
    InvitationSent,
    OrganizationSuspended,
    OrganizationReactivated,
    LeftOrganization,
    RoleChanged,
    MemberRemoved,
    InvitationRevoked,
    InvitationResent,
    SettingsSaved,
    BrandingSaved,
    DomainAdded,
    DomainVerified,
    DomainNotVerified,
    DomainRemoved,
    SsoConnectionAdded,
    SsoConnectionSaved,
    SsoSecretReplaced,
    SsoConnectionEnabled,
    SsoConnectionDisabled,
    SsoConnectionDeleted,
}

impl Notice {
    const ALL: [Self; 28] = [
        Self::EmailVerified,
        Self::EmailVerifiedSlugTaken,
        Self::AccountUnlocked,
        Self::SignedOut,
        Self::PasswordReset,
        Self::PasswordChanged,
        Self::NameSaved,
        Self::OperatorCreated,
        Self::InvitationSent,
        Self::OrganizationSuspended,
        Self::OrganizationReactivated,
        Self::LeftOrganization,
        Self::RoleChanged,
        Self::MemberRemoved,
        Self::InvitationRevoked,
        Self::InvitationResent,
        Self::SettingsSaved,
        Self::BrandingSaved,
        Self::DomainAdded,
        Self::DomainVerified,
        Self::DomainNotVerified,
        Self::DomainRemoved,
        Self::SsoConnectionAdded,
        Self::SsoConnectionSaved,
        Self::SsoSecretReplaced,
        Self::SsoConnectionEnabled,
        Self::SsoConnectionDisabled,
        Self::SsoConnectionDeleted,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::EmailVerified => "email-verified",
            Self::EmailVerifiedSlugTaken => "email-verified-slug-taken",
            Self::AccountUnlocked => "account-unlocked",
            Self::SignedOut => "signed-out",
            Self::PasswordReset => "password-reset",
            Self::PasswordChanged => "password-changed",
            Self::NameSaved => "name-saved",
            Self::OperatorCreated => "operator-created",
            Self::InvitationSent => "invitation-sent",
            Self::OrganizationSuspended => "organization-suspended",
            Self::OrganizationReactivated => "organization-reactivated",
            Self::LeftOrganization => "left-organization",
            Self::RoleChanged => "role-changed",
            Self::MemberRemoved => "member-removed",
            Self::InvitationRevoked => "invitation-revoked",
            Self::InvitationResent => "invitation-resent",
            Self::SettingsSaved => "settings-saved",
            Self::BrandingSaved => "branding-saved",
            Self::DomainAdded => "domain-added",
            Self::DomainVerified => "domain-verified",
            Self::DomainNotVerified => "domain-not-verified",
            Self::DomainRemoved => "domain-removed",
            Self::SsoConnectionAdded => "sso-added",
            Self::SsoConnectionSaved => "sso-saved",
            Self::SsoSecretReplaced => "sso-secret-replaced",
            Self::SsoConnectionEnabled => "sso-enabled",
            Self::SsoConnectionDisabled => "sso-disabled",
            Self::SsoConnectionDeleted => "sso-deleted",
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Self::EmailVerified => "Your email is verified. Welcome to Usher!",
            Self::EmailVerifiedSlugTaken => {
                "Your email is verified, but the organization address you chose was taken in the meantime. Choose another one to create your organization."
            }
            Self::AccountUnlocked => "Your account is unlocked. Sign in with your password.",
            Self::SignedOut => "You are signed out.",
            Self::PasswordReset => "Your password was changed. Sign in with your new password.",
            Self::PasswordChanged => {
                "Your password was changed. Your other sessions were signed out."
            }
            Self::NameSaved => "Your name was saved.",
            Self::OperatorCreated => "Your operator account is ready.",
            Self::InvitationSent => "The invitation was sent.",
            Self::OrganizationSuspended => {
                "The organization is suspended. Its members can no longer enter it."
            }
            Self::OrganizationReactivated => "The organization is active again.",
            Self::LeftOrganization => "You left the organization.",
            Self::RoleChanged => "The role was changed.",
            Self::MemberRemoved => "The member was removed. Their access ended at once.",
            Self::InvitationRevoked => "The invitation was revoked. Its link no longer works.",
            Self::InvitationResent => {
                "A new invitation link was sent. The old one no longer works."
            }
            Self::SettingsSaved => "The settings were saved.",
            Self::BrandingSaved => "The branding was saved. The organization's pages show it now.",
            Self::DomainAdded => {
                "The domain was added. Publish its TXT record in your DNS, then press Verify."
            }
            Self::DomainVerified => "The domain is verified.",
            Self::DomainNotVerified => {
                "The domain is not verified yet: the reason is shown beside it."
            }
            Self::DomainRemoved => "The domain was removed.",
            Self::SsoConnectionAdded => {
                "The identity provider was added and is on. Register the redirect URI below at your identity provider, then run a test sign-in."
            }
            Self::SsoConnectionSaved => "The connection was saved.",
            Self::SsoSecretReplaced => {
                "The client secret was replaced. Sign-ins use the new one from now on."
            }
            Self::SsoConnectionEnabled => "The connection is on: people can sign in through it.",
            Self::SsoConnectionDisabled => {
                "The connection is off: nobody can sign in through it until it is turned on again."
            }
            Self::SsoConnectionDeleted => "The connection was deleted.",
        }
    }

    /// The notice the previous response left for this request, if any.
    pub fn from_request(req: &HttpRequest) -> Option<Self> {
        let cookie = req.cookie(COOKIE)?;
        Self::ALL.into_iter().find(|n| n.code() == cookie.value())
    }

    /// A 303 redirect that shows this notice on the next page.
    pub fn redirect(self, location: &str) -> HttpResponse {
        let mut res = super::respond::see_other(location);
        let cookie = Cookie::build(COOKIE, self.code())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(Duration::minutes(5))
            .finish();
        // Adding a cookie to a fresh response cannot fail for a valid cookie.
        let _ = res.add_cookie(&cookie);
        res
    }
}

/// Forgets a notice once a page (not a redirect) has been answered, so it shows once.
pub async fn clear_after_display(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let had_notice = req.cookie(COOKIE).is_some();
    let mut res = next.call(req).await?;
    if had_notice && !res.status().is_redirection() {
        let mut removal = Cookie::build(COOKIE, "").path("/").finish();
        removal.make_removal();
        res.response_mut().add_cookie(&removal)?;
    }
    Ok(res)
}
