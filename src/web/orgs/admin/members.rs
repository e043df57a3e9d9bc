//! `/o/{slug}/admin/members`: the member list with search, role changes and removal.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{AdminNav, Section};
use crate::auth::OrgAdmin;
use crate::domain::{MemberSummary, Role, UserId};
use crate::error::AppError;
use crate::services::members::{self, Manager};
use crate::services::{self, Error};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::OrgAdminMembers.pattern(), web::get().to(list))
        .route(
            Urls::OrgAdminMemberRole.pattern(),
            web::post().to(change_role),
        )
        .route(Urls::OrgAdminMemberRemove.pattern(), web::post().to(remove));
}

#[derive(Template)]
#[template(path = "orgs/admin/members.html")]
struct MembersPage {
    page: Page,
    admin: AdminNav,
    q: String,
    members: Vec<MemberSummary>,
    next: Option<String>,
    /// The viewer's own role: the roles offered stop at it.
    own_role: Role,
    /// Why the last change was refused, shown above the list.
    refusal: Option<&'static str>,
}

impl MembersPage {
    /// The roles the viewer may give.
    fn grantable(&self) -> Vec<Role> {
        [Role::Member, Role::Admin, Role::Owner]
            .into_iter()
            .filter(|role| *role <= self.own_role)
            .collect()
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    after: Option<String>,
}

#[derive(Deserialize)]
pub struct RoleForm {
    // Defaulted so that the caller's rights are checked before the form: a missing field
    // must not tell a stranger that the route exists.
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
pub struct MemberPath {
    #[allow(dead_code)]
    slug: String,
    user_id: String,
}

async fn page_of(
    page: Page,
    state: &AppState,
    admin: &crate::auth::OrgMember,
    q: String,
    after: Option<&str>,
    refusal: Option<&'static str>,
) -> Result<MembersPage, AppError> {
    let found = members::page(state, &admin.org, &q, after).await?;
    Ok(MembersPage {
        page: page.working_in(&admin.org.name),
        admin: AdminNav::new(admin, Section::Members),
        q,
        members: found.items,
        next: found.next,
        own_role: admin.role,
        refusal,
    })
}

pub async fn list(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let ListQuery { q, after } = query.into_inner();
    render(&page_of(page, &state, &admin, q, after.as_deref(), None).await?)
}

pub async fn change_role(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<MemberPath>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let Ok(role) = Role::parse(&form.role) else {
        return Err(AppError::BadRequest("unknown role".into()));
    };
    let manager = Manager {
        user: &admin.user,
        org: &admin.org,
        role: admin.role,
        client_ip: &ip.0,
    };
    let target = UserId::from_stored(path.user_id.clone());
    let done = members::change_role(&state, &manager, &target, role).await;
    answer(page, &state, &admin, done, Notice::RoleChanged).await
}

pub async fn remove(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<MemberPath>,
) -> Result<HttpResponse, AppError> {
    let manager = Manager {
        user: &admin.user,
        org: &admin.org,
        role: admin.role,
        client_ip: &ip.0,
    };
    let target = UserId::from_stored(path.user_id.clone());
    let done = members::remove(&state, &manager, &target).await;
    answer(page, &state, &admin, done, Notice::MemberRemoved).await
}

/// Back to the list with a notice, or the list again with why the change was refused.
async fn answer(
    page: Page,
    state: &AppState,
    admin: &crate::auth::OrgMember,
    done: services::Result<()>,
    notice: Notice,
) -> Result<HttpResponse, AppError> {
    match done {
        Ok(()) => Ok(notice.redirect(&Urls::OrgAdminMembers.with(&admin.org.slug))),
        Err(Error::Refused(refusal)) => {
            let page = page_of(
                page,
                state,
                admin,
                String::new(),
                None,
                Some(refusal.message()),
            );
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page.await?)
        }
        Err(err) => Err(err.into()),
    }
}
