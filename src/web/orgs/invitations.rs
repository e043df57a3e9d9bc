//! `/invitations/{token}`: accepting an invitation from its email link. A link never burns by
//! mistake: signed in as someone else, the page offers to sign out and come back; after it was
//! accepted, its member is taken into the organization.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Browser, TypedSession};
use crate::domain::{DisplayName, EmailToken, NewPassword, Organization, Role};
use crate::error::AppError;
use crate::services::invitations::{self, AcceptOutcome, Acceptance, Link, Pending};
use crate::services::oauth::initiate_login;
use crate::services::throttle::{self, Attempt};
use crate::services::{members, organizations};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::oauth::respond::into_product;
use crate::web::page::Page;
use crate::web::respond::{render_token_page, see_other};
use crate::web::shared::link_invalid::LinkInvalid;
use crate::web::sign_in::login;
use crate::web::urls::{RealmUrls, Urls};

#[derive(Template)]
#[template(path = "orgs/invitation.html")]
struct InvitationPage {
    page: Page,
    token: String,
    inviter: String,
    org_name: String,
    email: String,
    role: Role,
    /// The signed-in user is the invited account: one button joins.
    signed_in_as_invitee: bool,
    /// Signed in as another address: the page offers to sign out and come back.
    signed_in_as_other: Option<String>,
    account_exists: bool,
    name: String,
    errors: FieldErrors,
}

/// An invitation that can no longer be accepted, or was already.
#[derive(Template)]
#[template(path = "orgs/invitation_closed.html")]
struct ClosedPage {
    page: Page,
    org_name: String,
    why: Closed,
    login: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    Accepted,
    Expired,
    Revoked,
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

fn view(
    page: Page,
    token: &EmailToken,
    pending: &Pending,
    name: String,
    errors: FieldErrors,
) -> InvitationPage {
    let email = pending.invitation.email.clone();
    let is_invitee =
        |u: &crate::domain::User| u.email == email && u.connection_id == pending.org.connection_id;
    let signed_in_as_invitee = page.user.as_ref().is_some_and(is_invitee);
    let signed_in_as_other = page
        .user
        .as_ref()
        .filter(|u| !is_invitee(u))
        .map(|u| u.email.to_string());
    InvitationPage {
        page: page.branded(&pending.org),
        token: token.as_str().to_owned(),
        inviter: pending
            .invitation
            .inviter_name
            .clone()
            .unwrap_or_else(|| "The platform operator".into()),
        org_name: pending.org.name.clone(),
        email: email.to_string(),
        role: pending.invitation.role,
        signed_in_as_invitee,
        signed_in_as_other,
        account_exists: pending.account_exists,
        name,
        errors,
    }
}

/// The answer to a link that is not pending: into the organization for its member, else a page
/// that says what happened and whom to ask.
async fn closed(
    page: Page,
    state: &AppState,
    org: &Organization,
    why: Closed,
) -> Result<HttpResponse, AppError> {
    if why == Closed::Accepted
        && let Some(user) = &page.user
        && members::role_in(state, &user.id, &org.id).await?.is_some()
    {
        return Ok(see_other(&Urls::OrgHome.with(&org.slug)));
    }
    let status = match why {
        Closed::Accepted => StatusCode::OK,
        Closed::Expired | Closed::Revoked => StatusCode::GONE,
    };
    let page = ClosedPage {
        page,
        org_name: org.name.clone(),
        why,
        login: RealmUrls::Login.of(Some(&org.slug)),
    };
    render_token_page(status, &page)
}

/// The pending invitation behind the link, or the response for any other state.
async fn pending_or_answer(
    page: Page,
    state: &AppState,
    token: &EmailToken,
) -> Result<Result<(Page, Pending), HttpResponse>, AppError> {
    let answer = match invitations::lookup(state, token).await? {
        Link::Pending(pending) => {
            organizations::ensure_active(&pending.org)?;
            return Ok(Ok((page, pending)));
        }
        Link::Accepted(org) => closed(page, state, &org, Closed::Accepted).await?,
        Link::Expired(org) => closed(page, state, &org, Closed::Expired).await?,
        Link::Revoked(org) => closed(page, state, &org, Closed::Revoked).await?,
        Link::Unknown => LinkInvalid::invitation(page)?,
    };
    Ok(Err(answer))
}

pub async fn get(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = EmailToken::from_link(&token);
    let (page, pending) = match pending_or_answer(page, &state, &token).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let errors = FieldErrors::default();
    render_token_page(
        StatusCode::OK,
        &view(page, &token, &pending, String::new(), errors),
    )
}

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    browser: Browser,
    token: web::Path<String>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let token = EmailToken::from_link(&token);
    let (page, pending) = match pending_or_answer(page, &state, &token).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let mut errors = FieldErrors::default();
    let email = pending.invitation.email.clone();
    let signed_in = page.user.clone();
    let how = match (&signed_in, pending.account_exists) {
        // Signed in as someone else: nothing is accepted, the page explains (the link stays).
        (Some(user), _)
            if user.email != email || user.connection_id != pending.org.connection_id =>
        {
            let page = view(page, &token, &pending, String::new(), errors);
            return render_token_page(StatusCode::CONFLICT, &page);
        }
        (Some(user), _) => Some(Acceptance::SignedIn(user)),
        (None, true) => Some(Acceptance::ExistingAccount {
            password: &form.password,
        }),
        (None, false) => {
            let name = errors.check("name", DisplayName::parse(&form.name));
            let context = [email.as_str(), email.local_part(), form.name.as_str()];
            let rules = state.password_rules;
            let password = errors.check(
                "password",
                NewPassword::parse(&form.password, &context, rules),
            );
            match (name, password) {
                (Some(name), Some(password)) => Some(Acceptance::NewAccount { name, password }),
                _ => None,
            }
        }
    };
    let Some(how) = how else {
        let page = view(page, &token, &pending, form.into_inner().name, errors);
        return render_token_page(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let attempt = Attempt {
        client_ip: &ip.0,
        browser: Some(&browser.id),
    };
    match invitations::accept(&state, &pending, how, attempt).await? {
        AcceptOutcome::Joined(user) => {
            session.sign_in(&user.id).map_err(AppError::unexpected)?;
            session
                .set_org(&pending.org.id)
                .map_err(AppError::unexpected)?;
            let org = Some(&pending.org.id);
            match initiate_login::landing(&state, org, &user.email).await? {
                Some(landing) => into_product(page, &landing),
                None => Ok(see_other(&Urls::OrgHome.with(&pending.org.slug))),
            }
        }
        AcceptOutcome::WrongPassword => {
            errors.add("password", "Incorrect password.");
            let page = view(page, &token, &pending, String::new(), errors);
            render_token_page(StatusCode::UNAUTHORIZED, &page)
        }
        AcceptOutcome::Locked => {
            errors.add("password", login::LOCKED);
            let page = view(page, &token, &pending, String::new(), errors);
            render_token_page(StatusCode::FORBIDDEN, &page)
        }
        AcceptOutcome::LegacyStoreUnavailable => {
            errors.add("password", login::LEGACY_STORE_UNAVAILABLE);
            let page = view(page, &token, &pending, String::new(), errors);
            render_token_page(StatusCode::SERVICE_UNAVAILABLE, &page)
        }
        AcceptOutcome::AccountAppeared => Ok(see_other(&Urls::Invitation.with(token.as_str()))),
        // Accepted meanwhile (a second click, another tab): answer as the link now stands.
        AcceptOutcome::NotForThisAccount | AcceptOutcome::LinkUsed => {
            match pending_or_answer(page, &state, &token).await? {
                Ok(_) => Ok(see_other(&Urls::Invitation.with(token.as_str()))),
                Err(answer) => Ok(answer),
            }
        }
    }
}
