//! `/signup` and `/o/{slug}/signup`: create an account with name, email and password; on an
//! organization's page (when it allows self sign-up) the account joins it as a member.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::Browser;
use crate::domain::Organization;
use crate::error::AppError;
use crate::services::domains;
use crate::services::registration::{self, Joining, SignUp};
use crate::services::throttle;
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::{FieldErrors, NewAccount};
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status, see_other};
use crate::web::shared::check_email::CheckEmailPage;
use crate::web::sign_in::realm::Realm;
use crate::web::urls::Urls;

#[derive(Template)]
#[template(path = "sign_in/signup.html")]
struct SignupPage {
    page: Page,
    name: String,
    email: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "sign_in/signup_closed.html")]
struct SignupClosed {
    page: Page,
}

#[derive(Deserialize)]
pub struct SignupForm {
    name: String,
    email: String,
    password: String,
}

/// An organization's sign-up page is open only when the organization allows it.
fn is_closed(realm: &Realm) -> bool {
    realm
        .org
        .as_ref()
        .is_some_and(|org| !org.join_policy.opens_sign_up())
}

/// Why an organization that admits its verified domains only refused an address.
fn not_at_verified_domain(org: &Organization) -> String {
    format!(
        "{} accepts sign-ups only with an email address at one of its verified domains. Use \
         your work email, or ask an administrator of {} for an invitation.",
        org.name, org.name
    )
}

pub async fn get(page: Page, realm: Realm) -> Result<HttpResponse, AppError> {
    if page.user.is_some() && realm.org.is_none() {
        return Ok(see_other(Urls::Start.pattern()));
    }
    let page = page.in_realm(&realm);
    if is_closed(&realm) {
        return render_with_status(StatusCode::FORBIDDEN, &SignupClosed { page });
    }
    let (name, email) = (String::new(), String::new());
    render(&SignupPage {
        page,
        name,
        email,
        errors: FieldErrors::default(),
    })
}

pub async fn post(
    page: Page,
    realm: Realm,
    state: web::Data<AppState>,
    ip: ClientIp,
    browser: Browser,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let page = page.in_realm(&realm);
    if is_closed(&realm) {
        return render_with_status(StatusCode::FORBIDDEN, &SignupClosed { page });
    }
    let mut errors = FieldErrors::default();
    let rules = state.password_rules;
    let Some(account) =
        NewAccount::parse(&mut errors, &form.name, &form.email, &form.password, rules)
    else {
        let form = form.into_inner();
        let page = SignupPage {
            page,
            name: form.name,
            email: form.email,
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let NewAccount {
        name,
        email,
        password,
    } = account;
    if let Some(org) = &realm.org
        && !domains::admits_sign_up(&state, org, &email).await?
    {
        errors.add("email", not_at_verified_domain(org));
        let form = form.into_inner();
        let page = SignupPage {
            page,
            name: form.name,
            email: form.email,
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let joining = realm
        .org
        .as_ref()
        .map_or(Joining::Nothing, Joining::Organization);
    let input = SignUp {
        name,
        email: email.clone(),
        password,
        client_ip: ip.0.clone(),
    };
    registration::sign_up(&state, input, joining, &browser.id).await?;
    let mut res = render(&CheckEmailPage::verification_sent(page, &email))?;
    // The verification link opened in this browser needs no password again.
    browser.remember(&mut res)?;
    Ok(res)
}
