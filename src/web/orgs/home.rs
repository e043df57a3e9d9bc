//! An organization's own pages under `/o/{slug}`: its home and its member list.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{OrgAdmin, OrgMember};
use crate::domain::{MemberSummary, Role, Slug};
use crate::error::AppError;
use crate::services::members;
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::respond::render;

#[derive(Template)]
#[template(path = "orgs/home.html")]
struct OrgHome {
    page: Page,
    org_name: String,
    slug: Slug,
    role: Role,
}

#[derive(Template)]
#[template(path = "orgs/members.html")]
struct MembersPage {
    page: Page,
    org_name: String,
    slug: Slug,
    members: Vec<MemberSummary>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct AfterQuery {
    after: Option<String>,
}

pub async fn home(page: Page, member: OrgMember) -> Result<HttpResponse, AppError> {
    let OrgMember { org, role, .. } = member;
    render(&OrgHome {
        page: page.working_in(&org.name),
        org_name: org.name,
        slug: org.slug,
        role,
    })
}

pub async fn members(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    query: web::Query<AfterQuery>,
) -> Result<HttpResponse, AppError> {
    let found = members::page(&state, &admin.org, "", query.after.as_deref()).await?;
    let org = admin.org;
    render(&MembersPage {
        page: page.working_in(&org.name),
        org_name: org.name,
        slug: org.slug,
        members: found.items,
        next: found.next,
    })
}
