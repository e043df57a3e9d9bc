//! `/admin/orgs`: the operator lists, creates, suspends and reactivates organizations and
//! provisions their first administrator.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::Operator;
use crate::domain::application::Application;
use crate::domain::audit::Actor;
use crate::domain::{
    Connection, Email, JoinPolicy, MemberSummary, MembershipMode, OrgName, OrgSummary,
    Organization, Role, Slug, User,
};
use crate::error::AppError;
use crate::services::invitations::{self, Inviter};
use crate::services::organizations::{self, NewOrganization};
use crate::services::{self, Conflict, applications, directory};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status, see_other};
use crate::web::urls::Urls;

#[derive(Template)]
#[template(path = "operator/orgs.html")]
struct OrgList {
    page: Page,
    q: String,
    orgs: Vec<OrgSummary>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "operator/org_new.html")]
struct NewOrgPage {
    page: Page,
    name: String,
    slug: String,
    /// The mode chosen, when the form comes back with errors.
    mode: Option<MembershipMode>,
    connections: Vec<Connection>,
    chosen: Vec<String>,
    self_signup: bool,
    errors: FieldErrors,
}

impl NewOrgPage {
    fn is_chosen(&self, connection: &Connection) -> bool {
        self.chosen.iter().any(|id| id == connection.id.as_str())
    }
}

#[derive(Template)]
#[template(path = "operator/org_show.html")]
struct OrgPage {
    page: Page,
    org: Organization,
    members: Vec<MemberSummary>,
    next: Option<String>,
    invite_email: String,
    errors: FieldErrors,
    /// The applications that can start a sign-in: the choices of a landing application.
    landing_choices: Vec<Application>,
    /// The client id of the one the organization names, if any.
    landing: Option<String>,
}

impl OrgPage {
    fn is_landing(&self, app: &Application) -> bool {
        self.landing.as_deref() == Some(app.client_id.as_str())
    }
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

fn org_path(org: &Organization) -> String {
    Urls::OperatorOrg.with(&org.slug)
}

pub async fn list(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let found = directory::organizations(&state, &query.q, query.after.as_deref()).await?;
    render(&OrgList {
        page,
        q: query.into_inner().q,
        orgs: found.items,
        next: found.next,
    })
}

pub async fn new_form(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
) -> Result<HttpResponse, AppError> {
    let connections = directory::shareable_connections(&state).await?;
    render(&NewOrgPage {
        page,
        name: String::new(),
        slug: String::new(),
        mode: Some(MembershipMode::Shared),
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
    let shareable = directory::shareable_connections(&state).await?;
    let mut errors = FieldErrors::default();
    let parsed_name = errors.check("name", OrgName::parse(&name));
    if slug.trim().is_empty() {
        slug = Slug::propose(&name);
    }
    let parsed_slug = errors.check("slug", Slug::parse(&slug));
    let parsed_mode = errors.check("mode", MembershipMode::parse(&mode));
    if chosen
        .iter()
        .any(|id| !shareable.iter().any(|c| c.id.as_str() == id))
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
            join_policy: if self_signup {
                JoinPolicy::Anyone
            } else {
                JoinPolicy::InvitationOnly
            },
        };
        match organizations::create(&state, &actor(&operator, &ip), &new).await {
            Ok(org) => return Ok(see_other(&org_path(&org))),
            Err(services::Error::Conflict(Conflict::SlugTaken)) => {
                errors.add("slug", "This address is taken. Choose another one.");
            }
            Err(err) => return Err(err.into()),
        }
    }
    let page = NewOrgPage {
        page,
        name,
        slug,
        mode: parsed_mode,
        connections: shareable,
        chosen,
        self_signup,
        errors,
    };
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn org_page(
    page: Page,
    state: &AppState,
    slug: &str,
    after: Option<&str>,
    invite_email: String,
    errors: FieldErrors,
) -> Result<OrgPage, AppError> {
    let (org, members) = directory::organization(state, slug, after).await?;
    let landing = organizations::landing_application(state, &org).await?;
    let landing_choices = applications::list(&state.store)
        .await?
        .into_iter()
        .filter(|app| app.initiate_login_uri.is_some())
        .collect();
    Ok(OrgPage {
        page,
        org,
        members: members.items,
        next: members.next,
        invite_email,
        errors,
        landing_choices,
        landing,
    })
}

pub async fn show(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
    slug: web::Path<String>,
    query: web::Query<AfterQuery>,
) -> Result<HttpResponse, AppError> {
    let after = query.after.as_deref();
    let org = org_page(
        page,
        &state,
        &slug,
        after,
        String::new(),
        FieldErrors::default(),
    )
    .await?;
    render(&org)
}

pub async fn suspend(
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    slug: web::Path<String>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (org, _) = directory::organization(&state, &slug, None).await?;
    let reason = match form.reason.trim() {
        "" => "Suspended by the platform operator.",
        reason => reason,
    };
    let reason: String = reason.chars().take(300).collect();
    organizations::suspend(&state, &actor(&operator, &ip), &org, &reason).await?;
    Ok(Notice::OrganizationSuspended.redirect(&org_path(&org)))
}

#[derive(Deserialize)]
pub struct LandingForm {
    /// A client id, or empty for the deployment's default.
    #[serde(default)]
    application: String,
}

pub async fn set_landing(
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    slug: web::Path<String>,
    form: web::Form<LandingForm>,
) -> Result<HttpResponse, AppError> {
    let (org, _) = directory::organization(&state, &slug, None).await?;
    let chosen = Some(form.application.as_str()).filter(|id| !id.is_empty());
    organizations::set_landing_application(&state, &actor(&operator, &ip), &org, chosen).await?;
    Ok(Notice::SettingsSaved.redirect(&org_path(&org)))
}

pub async fn reactivate(
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (org, _) = directory::organization(&state, &slug, None).await?;
    organizations::reactivate(&state, &actor(&operator, &ip), &org).await?;
    Ok(Notice::OrganizationReactivated.redirect(&org_path(&org)))
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
    let (org, _) = directory::organization(&state, &slug, None).await?;
    let mut errors = FieldErrors::default();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        let typed = form.into_inner().email;
        let page = org_page(page, &state, &slug, None, typed, errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let (name, actor) = (operator.name.to_string(), actor(&operator, &ip));
    let inviter = Inviter {
        actor: &actor,
        name: &name,
        role: None,
    };
    match invitations::invite(&state, &inviter, &org, &email, Role::Owner).await {
        Ok(()) => Ok(Notice::InvitationSent.redirect(&org_path(&org))),
        Err(services::Error::Conflict(
            conflict @ (Conflict::AlreadyMember | Conflict::AlreadyInvited),
        )) => {
            let message = match conflict {
                Conflict::AlreadyMember => format!("{email} is already a member of {}.", org.name),
                _ => format!("{email} has a pending invitation to {} already.", org.name),
            };
            errors.add("email", message);
            let page = org_page(page, &state, &slug, None, email.to_string(), errors).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(err) => Err(err.into()),
    }
}
