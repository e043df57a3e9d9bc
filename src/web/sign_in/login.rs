//! `/login` and `/o/{slug}/login`: identifier first (email), then the password; sign-out.
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Browser, TypedSession};
use crate::domain::{Email, User};
use crate::error::AppError;
use crate::services::authentication::{self, SignInOutcome};
use crate::services::landing::{self, Landing};
use crate::services::oauth;
use crate::services::sso;
use crate::services::sso::home_realm::{self, SsoChoice};
use crate::services::sso::sign_in;
use crate::services::throttle::{self, Attempt};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status, see_other};
use crate::web::sign_in::realm::Realm;
use crate::web::sso::start;
use crate::web::urls::{RealmUrls, Urls};
use tracing_actix_web::RequestId;

#[derive(Template)]
#[template(path = "sign_in/login_email.html")]
struct EmailStep {
    page: Page,
    email: String,
    errors: FieldErrors,
    /// The organization's identity providers, on its own sign-in page.
    sso: Vec<SsoChoice>,
}

#[derive(Template)]
#[template(path = "sign_in/login_password.html")]
struct PasswordStep {
    page: Page,
    email: String,
    error: &'static str,
    /// The identity provider of the email's organization, offered beside the password.
    sso: Option<SsoChoice>,
}

#[derive(Deserialize)]
pub struct EmailQuery {
    email: Option<String>,
}

#[derive(Deserialize)]
pub struct EmailForm {
    email: String,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    email: String,
    password: String,
}

pub async fn get(
    page: Page,
    realm: Realm,
    state: web::Data<AppState>,
    query: web::Query<EmailQuery>,
) -> Result<HttpResponse, AppError> {
    if page.user.is_some() && realm.org.is_none() {
        return Ok(see_other(Urls::Start.pattern()));
    }
    let email = query.into_inner().email.unwrap_or_default();
    let sso = match &realm.org {
        Some(org) => home_realm::for_org(&state, org).await?,
        None => Vec::new(),
    };
    render(&EmailStep {
        page: page.in_realm(&realm),
        email,
        errors: FieldErrors::default(),
        sso,
    })
}

/// The email step. An address whose domain an organization with an identity provider has
/// verified goes there (home-realm discovery): at once when the organization enforces it,
/// offered beside the password otherwise. Every other well-formed address gets the password
/// step, known or not.
pub async fn post_email(
    req: HttpRequest,
    page: Page,
    realm: Realm,
    state: web::Data<AppState>,
    request_id: RequestId,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let page = page.in_realm(&realm);
    let mut errors = FieldErrors::default();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        let sso = match &realm.org {
            Some(org) => home_realm::for_org(&state, org).await?,
            None => Vec::new(),
        };
        let step = EmailStep {
            page,
            email: form.into_inner().email,
            errors,
            sso,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &step);
    };
    let sso = home_realm::for_email(&state, &email).await?;
    if let Some(choice) = sso.as_ref().filter(|choice| choice.enforced) {
        return match sign_in::start(&state, &choice.connection, "", None).await {
            Ok(started) => start::continue_page(
                &req,
                page,
                &choice.name,
                "Your organization signs you in with its own identity provider.",
                &started,
            ),
            Err(err) => start::failed(err, Some(request_id)),
        };
    }
    render(&PasswordStep {
        page,
        email: email.to_string(),
        error: "",
        sso,
    })
}

pub async fn post_password(
    page: Page,
    realm: Realm,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    browser: Browser,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let page = page.in_realm(&realm);
    let Ok(email) = Email::parse(&form.email) else {
        return Ok(see_other(&RealmUrls::Login.of(realm.slug())));
    };
    let sso = home_realm::for_email(&state, &email).await?;
    if let Some(choice) = sso.as_ref().filter(|choice| choice.enforced) {
        let error = SSO_ENFORCED;
        let step = PasswordStep {
            page,
            email: email.to_string(),
            error,
            sso: Some(choice.clone()),
        };
        return render_with_status(StatusCode::FORBIDDEN, &step);
    }
    let attempt = Attempt {
        client_ip: &ip.0,
        browser: Some(&browser.id),
    };
    let outcome =
        authentication::sign_in(&state, &realm.connection(), &email, &form.password, attempt)
            .await?;
    let email = email.to_string();
    match outcome {
        SignInOutcome::SignedIn(user) => {
            session.sign_in(&user.id).map_err(AppError::unexpected)?;
            tracing::info!(user = %user.id, "signed in");
            let mut res = see_other(&destination(&state, &session, &realm, &user).await?);
            // This browser may go on signing in should the account ever be locked.
            browser.remember(&mut res)?;
            Ok(res)
        }
        refused => {
            let (status, error) = match refused {
                SignInOutcome::Locked => (StatusCode::FORBIDDEN, LOCKED),
                SignInOutcome::EmailUnconfirmed(_) => (StatusCode::FORBIDDEN, EMAIL_UNCONFIRMED),
                SignInOutcome::LegacyStoreUnavailable => {
                    (StatusCode::SERVICE_UNAVAILABLE, LEGACY_STORE_UNAVAILABLE)
                }
                SignInOutcome::SignedIn(_) | SignInOutcome::Rejected => {
                    (StatusCode::UNAUTHORIZED, REJECTED)
                }
            };
            let step = PasswordStep {
                page,
                email,
                error,
                sso,
            };
            render_with_status(status, &step)
        }
    }
}

/// A wrong password, an unknown email, or a sign-up not verified yet: one answer for all.
const REJECTED: &str = "Incorrect email or password. If you have just signed up, open the link \
                        in the email we sent you first.";

/// What a person whose organization enforces its identity provider sees on the password step.
pub const SSO_ENFORCED: &str = "Your organization signs you in with its own identity provider, \
                                not a password here. Use the button above.";

/// What a person sees who typed the right password for an account whose address is unproved.
pub const EMAIL_UNCONFIRMED: &str = "Your email address has not been confirmed yet. We sent you a \
                                     link: open it to confirm the address and choose your \
                                     password.";

/// What a person sees when the store that keeps their password cannot be reached.
pub const LEGACY_STORE_UNAVAILABLE: &str = "We cannot check your password right now: the \
                                            system that holds it is not answering. Please try \
                                            again in a few minutes.";

/// What a browser the account does not know sees while the account is locked.
pub const LOCKED: &str = "Too many failed sign-ins: this account is locked. Open the unlock link \
                          we emailed to it, or reset the password, to sign in from this browser.";

/// Where a person goes once signed in: the organization whose page they signed in on, their
/// only organization, or the picker (several organizations, or none).
pub async fn destination(
    state: &AppState,
    session: &TypedSession,
    realm: &Realm,
    user: &User,
) -> Result<String, AppError> {
    // An application is waiting for this sign-in.
    if session.pending_authorization().is_some() {
        return Ok(Urls::OAuthContinue.to_string());
    }
    match landing::after_sign_in(state, user, realm.org.as_ref()).await? {
        Landing::Organization(org, slug) => {
            session.set_org(&org).map_err(AppError::unexpected)?;
            Ok(Urls::OrgHome.with(slug))
        }
        Landing::Picker => Ok(Urls::Orgs.to_string()),
    }
}

#[derive(Deserialize)]
pub struct LogoutForm {
    /// Where to continue once signed out: a local path only (an invitation link, say).
    #[serde(default)]
    return_to: String,
}

pub async fn logout(
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, AppError> {
    let mut provider = None;
    if let Some(sid) = session.sid() {
        oauth::logout::end_sign_in(&state, &sid).await?;
        provider = sso::logout::on_sign_out(&state, &sid).await?;
    }
    session.sign_out();
    let destination = match local_path(&form.return_to) {
        Some(path) => path.to_owned(),
        None => RealmUrls::Login.of(None),
    };
    match provider {
        // Signed in through their company's identity provider: offer to sign out there too.
        Some(provider) => render(&SignedOutPage {
            page: Page::default(),
            provider,
            destination,
        }),
        None => Ok(Notice::SignedOut.redirect(&destination)),
    }
}

#[derive(Template)]
#[template(path = "sign_in/signed_out.html")]
struct SignedOutPage {
    page: Page,
    provider: sso::logout::ProviderSignOut,
    destination: String,
}

/// `path` if it stays on this site: absolute-path only, never `//host` or a backslash trick.
pub fn local_path(path: &str) -> Option<&str> {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    local.then_some(path)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/invitations/abc"), Some("/invitations/abc"));
        for outside in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "",
            "x",
        ] {
            assert_eq!(local_path(outside), None, "{outside}");
        }
    }
}
