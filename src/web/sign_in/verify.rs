//! `/verify-email`: the link from the verification email, and asking for a new one.
//! Opening the link shows a button; only the POST uses the token up, so mail scanners that
//! fetch links do not burn it. In the browser that signed up, the button is all; anywhere
//! else the page asks for the password chosen at sign-up, or for a new one.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Browser, TypedSession};
use crate::domain::{DisplayName, Email, EmailToken, NewPassword, PendingSignup};
use crate::error::AppError;
use crate::services::oauth::initiate_login;
use crate::services::registration::{self, Proof, Verified, VerifyOutcome};
use crate::services::throttle;
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::notice::Notice;
use crate::web::oauth::respond::into_product;
use crate::web::page::Page;
use crate::web::respond::{render, render_token_page, render_with_status};
use crate::web::shared::check_email::CheckEmailPage;
use crate::web::shared::link_invalid::LinkInvalid;
use crate::web::sign_in::realm::Realm;
use crate::web::urls::Urls;

#[derive(Template)]
#[template(path = "sign_in/verify_email.html")]
struct ConfirmPage {
    page: Page,
    token: String,
}

/// The link opened in another browser than the one that signed up.
#[derive(Template)]
#[template(path = "sign_in/verify_prove.html")]
struct ProvePage {
    page: Page,
    token: String,
    email: String,
    /// The name typed at sign-up, offered (editable) with a new password.
    name: String,
    /// What the sign-up asks for besides the account ("create the organization …").
    intent: Option<String>,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "sign_in/resend_verification.html")]
struct ResendPage {
    page: Page,
    email: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct TokenParam {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    token: String,
    /// The password chosen at sign-up, typed again in another browser.
    #[serde(default)]
    password: String,
    /// Or a new one, with the name and whether the sign-up's organization is wanted.
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    keep_intent: Option<String>,
}

#[derive(Deserialize)]
pub struct EmailForm {
    email: String,
}

async fn prove_page(
    page: Page,
    state: &AppState,
    token: &EmailToken,
    signup: &PendingSignup,
    status: StatusCode,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let page = ProvePage {
        page,
        token: token.as_str().to_owned(),
        email: signup.email.to_string(),
        name: signup.name.to_string(),
        intent: registration::intent_in_words(state, signup).await?,
        errors,
    };
    render_token_page(status, &page)
}

pub async fn get(
    page: Page,
    state: web::Data<AppState>,
    browser: Browser,
    query: web::Query<TokenParam>,
) -> Result<HttpResponse, AppError> {
    let token = EmailToken::from_link(&query.token);
    let Some(signup) = registration::pending(&state, &token).await? else {
        return LinkInvalid::verification(page);
    };
    if !registration::made_in(&signup, &browser.id) {
        let errors = FieldErrors::default();
        return prove_page(page, &state, &token, &signup, StatusCode::OK, errors).await;
    }
    let token = token.as_str().to_owned();
    render_token_page(StatusCode::OK, &ConfirmPage { page, token })
}

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    browser: Browser,
    ip: ClientIp,
    form: web::Form<VerifyForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let token = EmailToken::from_link(&form.token);
    let Some(signup) = registration::pending(&state, &token).await? else {
        return LinkInvalid::verification(page);
    };
    let mut errors = FieldErrors::default();
    let proof = if !form.new_password.is_empty() {
        let name = errors.check("name", DisplayName::parse(&form.name));
        let context = [
            signup.email.as_str(),
            signup.email.local_part(),
            form.name.as_str(),
        ];
        let parsed = NewPassword::parse(&form.new_password, &context, state.password_rules);
        match (name, errors.check("new_password", parsed)) {
            (Some(name), Some(password)) => Proof::NewPassword {
                password,
                name,
                keep_intent: form.keep_intent.is_some(),
            },
            _ => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return prove_page(page, &state, &token, &signup, status, errors).await;
            }
        }
    } else if !form.password.is_empty() {
        Proof::Password(&form.password)
    } else {
        Proof::SameBrowser(&browser.id)
    };
    match registration::verify(&state, &token, proof, &ip.0).await? {
        VerifyOutcome::Verified(verified) => signed_in(page, &state, &session, verified).await,
        VerifyOutcome::OtherBrowser => {
            prove_page(page, &state, &token, &signup, StatusCode::OK, errors).await
        }
        VerifyOutcome::WrongPassword => {
            errors.add(
                "password",
                "This is not the password chosen at sign-up. Type it again, or choose a new one below.",
            );
            let status = StatusCode::UNAUTHORIZED;
            prove_page(page, &state, &token, &signup, status, errors).await
        }
        VerifyOutcome::LinkUsed => LinkInvalid::verification(page),
    }
}

/// Signs the verified person in and takes them where their sign-up was going: the
/// application that is waiting, else the landing application, else their organization.
async fn signed_in(
    page: Page,
    state: &AppState,
    session: &TypedSession,
    verified: Verified,
) -> Result<HttpResponse, AppError> {
    session
        .sign_in(&verified.user.id)
        .map_err(AppError::unexpected)?;
    tracing::info!(user = %verified.user.id, "email verified");
    // An application is waiting for this sign-up.
    if session.pending_authorization().is_some() {
        return Ok(Notice::EmailVerified.redirect(Urls::OAuthContinue.pattern()));
    }
    if verified.slug_taken {
        return Ok(Notice::EmailVerifiedSlugTaken.redirect(Urls::OrgSignUp.pattern()));
    }
    if let Some((org, _)) = &verified.organization {
        session.set_org(org).map_err(AppError::unexpected)?;
    }
    let org = verified.organization.as_ref().map(|(org, _)| org);
    if let Some(landing) = initiate_login::landing(state, org, &verified.user.email).await? {
        return into_product(page, &landing);
    }
    // Someone who signed up into (or founded) an organization lands in it.
    let destination = match verified.organization {
        Some((_, slug)) => Urls::OrgHome.with(slug),
        None => Urls::Account.to_string(),
    };
    Ok(Notice::EmailVerified.redirect(&destination))
}

pub async fn get_resend(page: Page, realm: Realm) -> Result<HttpResponse, AppError> {
    let page = page.in_realm(&realm);
    render(&ResendPage {
        page,
        email: String::new(),
        errors: FieldErrors::default(),
    })
}

pub async fn post_resend(
    page: Page,
    realm: Realm,
    state: web::Data<AppState>,
    ip: ClientIp,
    browser: Browser,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let page = page.in_realm(&realm);
    let mut errors = FieldErrors::default();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        let page = ResendPage {
            page,
            email: form.into_inner().email,
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    registration::resend_verification(&state, &realm.connection(), &email, &browser.id).await?;
    render(&CheckEmailPage::verification_resent(page, &email))
}
