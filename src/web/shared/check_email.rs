//! The "check your email" page, shown after every request that sends a link. It reads the
//! same whether or not the address has an account.
use askama::Template;

use crate::domain::Email;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "shared/check_email.html")]
pub struct CheckEmailPage {
    page: Page,
    email: String,
    message: &'static str,
}

impl CheckEmailPage {
    pub fn verification_sent(page: Page, email: &Email) -> Self {
        Self {
            page,
            email: email.to_string(),
            message: "To finish, open the link in the email we sent. If you already have an account, the email tells you how to sign in instead.",
        }
    }

    pub fn reset_sent(page: Page, email: &Email) -> Self {
        Self {
            page,
            email: email.to_string(),
            message: "If an account uses this address, we sent it a link to choose a new password. The link works once, for one hour.",
        }
    }

    pub fn verification_resent(page: Page, email: &Email) -> Self {
        Self {
            page,
            email: email.to_string(),
            message: "If you signed up with this address in this browser, we sent it a new link. Earlier links of that sign-up no longer work.",
        }
    }
}
