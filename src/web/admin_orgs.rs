//! `/admin/orgs`: the operator lists, creates, suspends and reactivates organizations and
//! provisions their first administrator.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::FieldErrors;
use super::notice::Notice;
use super::page::{ClientIp, Page, render, render_with_status, see_other};
use super::paging::{self, PER_PAGE};
use crate::auth::Operator;
use crate::domain::audit::Actor;
use crate::domain::{Email, MembershipMode, OrgName, Organization, Role, Slug, User};
use crate::error::AppError;
use crate::services::invitations::{self, AlreadyMember};
use crate::services::organizations::{self, NewOrganization};
use crate::state::AppState;
use crate::store::connections::{self, ConnectionRow};
use crate::store::memberships::{self, MemberRow};
use crate::store::organizations::{self as org_store, OrgListRow};

#[derive(Template)]
#[template(path = "admin/orgs.html")]
struct OrgList {
    page: Page,
    q: String,
    orgs: Vec<OrgListRow>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/org_new.html")]
struct NewOrgPage {
    page: Page,
    name: String,
    slug: String,
    mode: String,
    connections: Vec<ConnectionRow>,
    chosen: Vec<String>,
    self_signup: bool,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "admin/org_show.html")]
struct OrgPage {
    page: Page,
    org: Organization,
    members: Vec<MemberRow>,
    next: Option<String>,
    invite_email: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    after: Option<String>,
}

#[derive(Deserialize)]
pub struct AfterQuery {
    after: Option<String>,
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
}

fn actor(operator: &User, ip: &ClientIp) -> Actor {
    Actor::user(operator, &ip.0)
}

pub async fn list(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let after = query.after.as_deref().and_then(paging::parse_org_key);
    let orgs = org_store::list_page(state.store.pool(), &query.q, after, PER_PAGE).await?;
    let next = paging::next_key(&orgs, |o| paging::org_key(&o.name, &o.id));
    render(&OrgList {
        page,
        q: query.into_inner().q,
        orgs,
        next,
    })
}

pub async fn new_form(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
) -> Result<HttpResponse, AppError> {
    let connections = connections::list_shareable(state.store.pool()).await?;
    render(&NewOrgPage {
        page,
        name: String::new(),
        slug: String::new(),
        mode: "shared".into(),
        connections,
        chosen: Vec::new(),
        self_signup: false,
        errors: FieldErrors::default(),
    })
}

pub async fn create(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (name, mut slug, mode) = (field("name"), field("slug"), field("mode"));
    let self_signup = field("self_signup") == "on";
    let chosen: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "connection")
        .map(|(_, v)| v.clone())
        .collect();
    let shareable = connections::list_shareable(state.store.pool()).await?;
    let mut errors = FieldErrors::default();
    let parsed_name = errors.check("name", OrgName::parse(&name));
    if slug.trim().is_empty() {
        slug = Slug::propose(&name);
    }
    let parsed_slug = errors.check("slug", Slug::parse(&slug));
    let parsed_mode = errors.check("mode", MembershipMode::parse(&mode));
    if chosen
        .iter()
        .any(|id| !shareable.iter().any(|c| &c.id == id))
    {
        errors.add("connection", "Choose connections from the list.");
    }
    if let (Some(name), Some(slug), Some(mode), true) =
        (parsed_name, parsed_slug, parsed_mode, errors.is_empty())
    {
        let new = NewOrganization {
            name,
            slug,
            mode,
            connections: chosen.clone(),
            allow_self_signup: self_signup,
        };
        match organizations::create(&state, &actor(&operator, &ip), &new).await? {
            Ok(org) => return Ok(see_other(&format!("/admin/orgs/{}", org.slug))),
            Err(_) => errors.add("slug", "This address is taken. Choose another one."),
        }
    }
    let page = NewOrgPage {
        page,
        name,
        slug,
        mode,
        connections: shareable,
        chosen,
        self_signup,
        errors,
    };
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn find_org(state: &AppState, slug: &str) -> Result<Organization, AppError> {
    org_store::find_by_slug(state.store.pool(), slug)
        .await?
        .ok_or(AppError::NotFound)
}

async fn org_page(
    page: Page,
    state: &AppState,
    org: Organization,
    after: Option<&str>,
    invite_email: String,
    errors: FieldErrors,
) -> Result<OrgPage, AppError> {
    let after = after.and_then(paging::parse_member_key);
    let members = memberships::list_page(state.store.pool(), &org.id, after, PER_PAGE).await?;
    let next = paging::next_key(&members, paging::member_key);
    Ok(OrgPage {
        page,
        org,
        members,
        next,
        invite_email,
        errors,
    })
}

pub async fn show(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
    slug: web::Path<String>,
    query: web::Query<AfterQuery>,
) -> Result<HttpResponse, AppError> {
    let org = find_org(&state, &slug).await?;
    render(
        &org_page(
            page,
            &state,
            org,
            query.after.as_deref(),
            String::new(),
            FieldErrors::default(),
        )
        .await?,
    )
}

pub async fn suspend(
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    slug: web::Path<String>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let org = find_org(&state, &slug).await?;
    let reason = match form.reason.trim() {
        "" => "Suspended by the platform operator.",
        reason => reason,
    };
    let reason: String = reason.chars().take(300).collect();
    organizations::suspend(&state, &actor(&operator, &ip), &org, &reason).await?;
    Ok(Notice::OrganizationSuspended.redirect(&format!("/admin/orgs/{}", org.slug)))
}

pub async fn reactivate(
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let org = find_org(&state, &slug).await?;
    organizations::reactivate(&state, &actor(&operator, &ip), &org).await?;
    Ok(Notice::OrganizationReactivated.redirect(&format!("/admin/orgs/{}", org.slug)))
}

/// Provisions the organization's first administrator: an invitation with role owner.
pub async fn invite_owner(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    slug: web::Path<String>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let org = find_org(&state, &slug).await?;
    let mut errors = FieldErrors::default();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        let page = org_page(page, &state, org, None, form.into_inner().email, errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let (inviter, actor) = (operator.name.to_string(), actor(&operator, &ip));
    match invitations::invite(&state, &actor, &inviter, &org, &email, Role::Owner).await? {
        Ok(()) => Ok(Notice::InvitationSent.redirect(&format!("/admin/orgs/{}", org.slug))),
        Err(AlreadyMember) => {
            errors.add(
                "email",
                format!("{email} is already a member of {}.", org.name),
            );
            let page = org_page(page, &state, org, None, email.to_string(), errors).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
