//! Every email Usher sends, each an HTML + text pair from templates under `templates/email/`.
use askama::Template;

/// A rendered email.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub trait Mail {
    fn render(&self) -> askama::Result<Rendered>;
}

/// Declares an email: its data struct, subject and the two templates sharing that data.
macro_rules! mail {
    ($name:ident, $subject:literal, $html:literal, $text:literal { $($field:ident: $ty:ty),* $(,)? }) => {
        pub struct $name {
            $(pub $field: $ty),*
        }

        impl Mail for $name {
            fn render(&self) -> askama::Result<Rendered> {
                #[derive(Template)]
                #[template(path = $html)]
                struct Html<'a> { mail: &'a $name, subject: &'a str }

                #[derive(Template)]
                #[template(path = $text)]
                struct Text<'a> { mail: &'a $name }

                let subject = $subject.to_owned();
                Ok(Rendered {
                    html: Html { mail: self, subject: &subject }.render()?,
                    text: Text { mail: self }.render()?,
                    subject,
                })
            }
        }
    };
}

// Sent to an address nobody has proved yet: it carries nothing the sign-up form typed.
mail!(VerifyEmail, "Verify your email address", "email/verify_email.html", "email/verify_email.txt" {
    link: String,
});

mail!(UnlockAccount, "Your account was locked after failed sign-ins", "email/unlock_account.html",
      "email/unlock_account.txt" {
    name: String,
    link: String,
});

// Sent when the right password was typed for an account whose address was never proved; the
// link is a password reset's: the mailbox's owner chooses the password.
mail!(ConfirmEmail, "Confirm your email address to sign in", "email/confirm_email.html",
      "email/confirm_email.txt" {
    name: String,
    link: String,
});

mail!(AlreadyRegistered, "You already have an account", "email/already_registered.html",
      "email/already_registered.txt" {
    name: String,
    login_link: String,
    reset_link: String,
});

mail!(ResetPassword, "Reset your password", "email/reset_password.html", "email/reset_password.txt" {
    name: String,
    link: String,
});

mail!(PasswordChanged, "Your password was changed", "email/password_changed.html",
      "email/password_changed.txt" {
    name: String,
    reset_link: String,
});

/// An organization's branding in the HTML part of its emails. Mail clients show no page
/// stylesheet, so the colour goes into inline styles; it is a validated `#rrggbb`.
#[derive(Debug, Clone)]
pub struct MailBrand {
    pub name: String,
    /// Absolute, so that the mail client can fetch it.
    pub logo_url: Option<String>,
    pub color: String,
}

mail!(Invitation, "You are invited to join an organization on Usher", "email/invitation.html",
      "email/invitation.txt" {
    inviter: String,
    organization: String,
    role: String,
    link: String,
    days: i64,
    brand: MailBrand,
});
