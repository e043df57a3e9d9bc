//! `/orgs` (the organization picker and switcher) and an organization's own pages under
//! `/o/{slug}`.
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{Page, render, see_other};
use super::paging;
use crate::auth::{CurrentUser, OrgAdmin, OrgMember, TypedSession};
use crate::error::AppError;
use crate::services::landing::{self, OrgChoice};
use crate::state::AppState;
use crate::store::memberships::{self, MemberRow};
use crate::store::organizations;

#[derive(Template)]
#[template(path = "orgs/picker.html")]
struct PickerPage {
    page: Page,
    choices: Vec<OrgChoice>,
}

#[derive(Template)]
#[template(path = "orgs/home.html")]
struct OrgHome {
    page: Page,
    org_name: String,
    slug: String,
    role: &'static str,
    can_manage: bool,
}

#[derive(Template)]
#[template(path = "orgs/members.html")]
struct MembersPage {
    page: Page,
    org_name: String,
    slug: String,
    members: Vec<MemberRow>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SwitchForm {
    slug: String,
}

#[derive(Deserialize)]
pub struct AfterQuery {
    after: Option<String>,
}

pub async fn picker(
    page: Page,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let choices = landing::choices(&state, &user).await?;
    render(&PickerPage { page, choices })
}

/// Makes one of the user's organizations the current one.
pub async fn switch(
    state: web::Data<AppState>,
    session: TypedSession,
    CurrentUser(user): CurrentUser,
    form: web::Form<SwitchForm>,
) -> Result<HttpResponse, AppError> {
    let choices = landing::choices(&state, &user).await?;
    let chosen = choices
        .iter()
        .find(|c| c.slug.as_str() == form.slug)
        .ok_or(AppError::NotFound)?;
    session.set_org(&chosen.id).map_err(AppError::unexpected)?;
    landing::remember_choice(&state, &user, &chosen.id).await?;
    Ok(see_other(&format!("/o/{}", chosen.slug)))
}

pub async fn home(page: Page, member: OrgMember) -> Result<HttpResponse, AppError> {
    let OrgMember { org, role, .. } = member;
    let page = Page {
        current_org: Some(org.name.clone()),
        ..page
    };
    render(&OrgHome {
        page,
        org_name: org.name,
        slug: org.slug.to_string(),
        role: role.label(),
        can_manage: role.can_manage_members(),
    })
}

pub async fn members(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    query: web::Query<AfterQuery>,
) -> Result<HttpResponse, AppError> {
    let after = query.after.as_deref().and_then(paging::parse_member_key);
    let members =
        memberships::list_page(state.store.pool(), &admin.org.id, after, paging::PER_PAGE).await?;
    let next = paging::next_key(&members, paging::member_key);
    let org = admin.org;
    let page = Page {
        current_org: Some(org.name.clone()),
        ..page
    };
    render(&MembersPage {
        page,
        org_name: org.name,
        slug: org.slug.to_string(),
        members,
        next,
    })
}

/// The organization's colour as a stylesheet: inline styles would need a weaker CSP.
pub async fn brand_css(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let org = organizations::find_by_slug(state.store.pool(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let color = org.primary_color.ok_or(AppError::NotFound)?;
    // Stored colours are validated as #rrggbb, so they are safe to write into CSS.
    let css = format!(":root {{ --accent: {color}; --accent-dark: {color}; }}\n");
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(css))
}
