//! Enterprise sign-in: each organization's own OpenID Connect identity provider, with Usher
//! as its relying party. `connections` is the admins' side, `sign_in` a person's, `provider`
//! the protocol, and `provisioning` who the person is here.
pub mod connections;
pub mod home_realm;
pub mod http;
pub mod logout;
pub mod provider;
pub mod provisioning;
pub mod sign_in;

use crate::services::Error;

/// Why a sign-in through an identity provider did not sign anyone in.
#[derive(Debug)]
pub enum Refusal {
    /// No such connection.
    Unknown,
    /// The organization's admins turned the connection off.
    Disabled,
    Suspended,
    Blocked,
    /// An account with the email exists, and linking it is not safe: the provider did not
    /// vouch for the email, or the organization has not verified its domain.
    LinkNotAllowed,
    /// Just-in-time creation is off and the person has no account.
    NoAccount,
    /// The provider sent no usable email address.
    NoEmail,
    /// Another identity at the same provider already holds the email.
    EmailInUse,
    /// Any other failure: the precise reason goes to the log, never to the page.
    Failed(String),
}

impl Refusal {
    /// What the person is told.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Unknown | Self::Failed(_) => {
                "Your company's sign-in could not be completed. Try again, and if it keeps \
                 failing, give your administrator the request id below."
            }
            Self::Disabled => {
                "Your company's sign-in is turned off for now. Ask your administrator."
            }
            Self::Suspended => "This organization is suspended.",
            Self::Blocked => "This account is blocked. Ask your administrator.",
            Self::LinkNotAllowed => {
                "An account with this email already exists here, with a password. It was not \
                 connected to your company's sign-in, because your company's identity provider \
                 did not confirm the email address or the organization has not verified its \
                 domain. Sign in with your password, or ask your administrator."
            }
            Self::NoAccount => {
                "Your company's sign-in worked, but you do not have an account here yet. Ask \
                 your administrator to invite you."
            }
            Self::NoEmail => {
                "Your company's identity provider did not send an email address, which an \
                 account here needs. Ask your administrator."
            }
            Self::EmailInUse => {
                "Another person at your company's identity provider already uses this email \
                 address here. Ask your administrator."
            }
        }
    }

    /// What the log records.
    pub fn reason(&self) -> String {
        match self {
            Self::Failed(reason) => reason.clone(),
            other => format!("{other:?}"),
        }
    }
}

#[derive(Debug)]
pub enum SsoError {
    Refused(Refusal),
    Failed(Error),
}

impl<E: Into<Error>> From<E> for SsoError {
    fn from(err: E) -> Self {
        Self::Failed(err.into())
    }
}
