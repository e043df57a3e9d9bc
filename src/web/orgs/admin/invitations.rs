//! `/o/{slug}/admin/invitations`: invite people one by one, see every invitation with its
//! state, send one again (a new link, the old one void) or revoke it.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{AdminNav, Section};
use crate::auth::{OrgAdmin, OrgMember};
use crate::domain::audit::Actor;
use crate::domain::{Email, InvitationState, InvitationSummary, Role};
use crate::error::AppError;
use crate::services::invitations::{self, Inviter};
use crate::services::{self, Conflict, Error};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(Urls::OrgAdminInvitations.pattern())
            .get(list)
            .post(invite),
    )
    .route(
        Urls::OrgAdminInvitationResend.pattern(),
        web::post().to(resend),
    )
    .route(
        Urls::OrgAdminInvitationRevoke.pattern(),
        web::post().to(revoke),
    );
}

#[derive(Template)]
#[template(path = "orgs/admin/invitations.html")]
pub struct InvitationsPage {
    pub page: Page,
    pub admin: AdminNav,
    pub invitations: Vec<InvitationSummary>,
    pub next: Option<String>,
    pub own_role: Role,
    pub email: String,
    pub role: Role,
    pub errors: FieldErrors,
    /// Why a resend or revoke was refused.
    pub refusal: Option<String>,
}

impl InvitationsPage {
    fn grantable(&self) -> Vec<Role> {
        [Role::Member, Role::Admin, Role::Owner]
            .into_iter()
            .filter(|role| *role <= self.own_role)
            .collect()
    }

    fn is_open(invitation: &InvitationSummary) -> bool {
        matches!(
            invitation.state,
            InvitationState::Pending | InvitationState::Expired
        )
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    before: Option<String>,
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
pub struct InvitationPath {
    #[allow(dead_code)]
    slug: String,
    id: String,
}

/// The page with the list and the invite form, as it stands.
pub async fn page_of(
    page: Page,
    state: &AppState,
    admin: &OrgMember,
    before: Option<&str>,
    form: (String, Role, FieldErrors),
    refusal: Option<String>,
) -> Result<InvitationsPage, AppError> {
    let found = invitations::list(state, &admin.org, before).await?;
    let (email, role, errors) = form;
    Ok(InvitationsPage {
        page: page.working_in(&admin.org.name),
        admin: AdminNav::new(admin, Section::Invitations),
        invitations: found.items,
        next: found.next,
        own_role: admin.role,
        email,
        role,
        errors,
        refusal,
    })
}

pub async fn list(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let form = (String::new(), Role::Member, FieldErrors::default());
    let before = query.before.as_deref();
    render(&page_of(page, &state, &admin, before, form, None).await?)
}

pub async fn invite(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let email = errors.check("email", Email::parse(&form.email));
    let role = errors.check("role", Role::parse(&form.role));
    let (Some(email), Some(role)) = (email, role) else {
        let typed = (form.email.clone(), Role::Member, errors);
        let page = page_of(page, &state, &admin, None, typed, None).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let actor = Actor::user(&admin.user, &ip.0);
    let inviter = Inviter {
        actor: &actor,
        name: admin.user.name.as_str(),
        role: Some(admin.role),
    };
    let message = match invitations::invite(&state, &inviter, &admin.org, &email, role).await {
        Ok(()) => {
            let back = Urls::OrgAdminInvitations.with(&admin.org.slug);
            return Ok(Notice::InvitationSent.redirect(&back));
        }
        Err(Error::Conflict(Conflict::AlreadyMember)) => {
            format!("{email} is already a member of {}.", admin.org.name)
        }
        Err(Error::Conflict(Conflict::AlreadyInvited)) => {
            format!("{email} has a pending invitation already. Send it again from the list below.")
        }
        Err(Error::Refused(refusal)) => refusal.message().to_owned(),
        Err(err) => return Err(err.into()),
    };
    errors.add("email", message);
    let typed = (email.to_string(), role, errors);
    let page = page_of(page, &state, &admin, None, typed, None).await?;
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

pub async fn resend(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<InvitationPath>,
) -> Result<HttpResponse, AppError> {
    let actor = Actor::user(&admin.user, &ip.0);
    let inviter = Inviter {
        actor: &actor,
        name: admin.user.name.as_str(),
        role: Some(admin.role),
    };
    let done = invitations::resend(&state, &inviter, &admin.org, &path.id).await;
    answer(page, &state, &admin, done, Notice::InvitationResent).await
}

pub async fn revoke(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<InvitationPath>,
) -> Result<HttpResponse, AppError> {
    let actor = Actor::user(&admin.user, &ip.0);
    let done = invitations::revoke(&state, &actor, &admin.org, &path.id).await;
    answer(page, &state, &admin, done, Notice::InvitationRevoked).await
}

async fn answer(
    page: Page,
    state: &AppState,
    admin: &OrgMember,
    done: services::Result<()>,
    notice: Notice,
) -> Result<HttpResponse, AppError> {
    let refusal = match done {
        Ok(()) => {
            return Ok(notice.redirect(&Urls::OrgAdminInvitations.with(&admin.org.slug)));
        }
        Err(Error::Conflict(Conflict::InvitationAnswered)) => {
            "This invitation was accepted or revoked in the meantime.".to_owned()
        }
        Err(Error::Refused(refusal)) => refusal.message().to_owned(),
        Err(err) => return Err(err.into()),
    };
    let form = (String::new(), Role::Member, FieldErrors::default());
    let page = page_of(page, state, admin, None, form, Some(refusal)).await?;
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
