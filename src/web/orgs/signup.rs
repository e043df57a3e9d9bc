//! `/signup/organization`: the self-signup portal where a new company creates its
//! organization and its first person becomes the owner.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Browser, TypedSession};
use crate::domain::audit::Actor;
use crate::domain::{ConnectionId, JoinPolicy, MembershipMode, OrgName, Slug};
use crate::error::AppError;
use crate::services::organizations::{self, NewOrganization};
use crate::services::registration::{self, Joining, SignUp};
use crate::services::throttle;
use crate::services::{self, Conflict};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::{FieldErrors, NewAccount};
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status, see_other};
use crate::web::shared::check_email::CheckEmailPage;
use crate::web::urls::Urls;

#[derive(Template)]
#[template(path = "orgs/signup.html")]
struct OrgSignupPage {
    page: Page,
    form: OrgSignupForm,
    errors: FieldErrors,
}

#[derive(Default, Deserialize)]
pub struct OrgSignupForm {
    org_name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn get(page: Page) -> Result<HttpResponse, AppError> {
    render(&OrgSignupPage {
        page,
        form: OrgSignupForm::default(),
        errors: FieldErrors::default(),
    })
}

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    browser: Browser,
    form: web::Form<OrgSignupForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let mut form = form.into_inner();
    let mut errors = FieldErrors::default();
    let org_name = errors.check("org_name", OrgName::parse(&form.org_name));
    if form.slug.trim().is_empty() {
        form.slug = Slug::propose(&form.org_name);
    }
    let slug = errors.check("slug", Slug::parse(&form.slug));
    // An isolated organization's accounts belong to it alone and cannot found another.
    if page
        .user
        .as_ref()
        .is_some_and(|u| u.connection_id != ConnectionId::default_password())
    {
        errors.add(
            "org_name",
            "Your account belongs to an isolated organization and cannot create another one. \
             Sign out, then create the organization with a new account.",
        );
    }
    // Someone signed in founds the organization with the account they have.
    let account = match &page.user {
        Some(_) => None,
        None => Some(NewAccount::parse(
            &mut errors,
            &form.name,
            &form.email,
            &form.password,
            state.password_rules,
        )),
    };
    let (Some(org_name), Some(slug)) = (org_name, slug) else {
        return invalid(page, form, errors);
    };
    if matches!(account, Some(None)) || !errors.is_empty() {
        return invalid(page, form, errors);
    }
    match (&page.user, account.flatten()) {
        (Some(user), _) => {
            let new = NewOrganization {
                name: org_name,
                slug,
                mode: MembershipMode::Shared,
                connections: Vec::new(),
                join_policy: JoinPolicy::InvitationOnly,
            };
            let actor = Actor::user(user, &ip.0);
            match organizations::create_owned_by(&state, &actor, user, &new).await {
                Ok(org) => {
                    session.set_org(&org.id).map_err(AppError::unexpected)?;
                    Ok(see_other(&Urls::OrgHome.with(&org.slug)))
                }
                Err(services::Error::Conflict(Conflict::SlugTaken)) => {
                    slug_taken(page, form, errors)
                }
                Err(err) => Err(err.into()),
            }
        }
        (
            None,
            Some(NewAccount {
                name,
                email,
                password,
            }),
        ) => {
            let input = SignUp {
                name,
                email: email.clone(),
                password,
                client_ip: ip.0.clone(),
            };
            // The organization is created once the founder verifies the address.
            let joining = Joining::NewOrganization {
                name: org_name,
                slug,
            };
            match registration::sign_up(&state, input, joining, &browser.id).await {
                Ok(()) => {
                    let mut res = render(&CheckEmailPage::verification_sent(page, &email))?;
                    browser.remember(&mut res)?;
                    Ok(res)
                }
                Err(services::Error::Conflict(Conflict::SlugTaken)) => {
                    slug_taken(page, form, errors)
                }
                Err(err) => Err(err.into()),
            }
        }
        (None, None) => invalid(page, form, errors),
    }
}

fn slug_taken(
    page: Page,
    form: OrgSignupForm,
    mut errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    errors.add("slug", "This address is taken. Choose another one.");
    invalid(page, form, errors)
}

fn invalid(
    page: Page,
    mut form: OrgSignupForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    form.password.clear();
    render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &OrgSignupPage { page, form, errors },
    )
}
