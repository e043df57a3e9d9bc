//! `/o/{slug}/admin/domains`: the organization's domains, each with the DNS TXT record that
//! proves it, and adding, verifying and removing them.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{AdminNav, Section};
use crate::auth::{OrgAdmin, OrgMember};
use crate::domain::{DomainId, DomainName, OrgDomain};
use crate::error::AppError;
use crate::services::domains::{self, Verification};
use crate::services::members::Manager;
use crate::services::{Conflict, Error};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(Urls::OrgAdminDomains.pattern())
            .get(list)
            .post(add),
    )
    .route(Urls::OrgAdminDomainVerify.pattern(), web::post().to(verify))
    .route(Urls::OrgAdminDomainRemove.pattern(), web::post().to(remove));
}

#[derive(Template)]
#[template(path = "orgs/admin/domains.html")]
struct DomainsPage {
    page: Page,
    admin: AdminNav,
    domains: Vec<OrgDomain>,
    /// The add form's value, and why it was refused ("" when it was not).
    name: String,
    name_error: String,
    /// Why the last verification was refused, shown above the list.
    refusal: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
pub struct DomainPath {
    #[allow(dead_code)]
    slug: String,
    id: String,
}

const DOMAIN_TAKEN: &str = "Another organization has verified this domain, and a domain belongs \
    to one organization at a time. If the domain is yours, remove their TXT record from its \
    DNS: Usher withdraws their verification at its next daily check, and you can verify it then.";
const ALREADY_ADDED: &str = "This domain is in your list already.";

fn manager<'a>(admin: &'a OrgMember, ip: &'a ClientIp) -> Manager<'a> {
    Manager {
        user: &admin.user,
        org: &admin.org,
        role: admin.role,
        client_ip: &ip.0,
    }
}

async fn page_of(
    page: Page,
    state: &AppState,
    admin: &OrgMember,
    name: String,
    name_error: String,
    refusal: Option<&'static str>,
) -> Result<DomainsPage, AppError> {
    Ok(DomainsPage {
        page: page.working_in(&admin.org.name),
        admin: AdminNav::new(admin, Section::Domains),
        domains: domains::list(state, &admin.org).await?,
        name,
        name_error,
        refusal,
    })
}

pub async fn list(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
) -> Result<HttpResponse, AppError> {
    render(&page_of(page, &state, &admin, String::new(), String::new(), None).await?)
}

pub async fn add(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let typed = form.into_inner().name;
    let refused = |message: &str| {
        let page = page_of(
            page,
            &state,
            &admin,
            typed.clone(),
            message.to_owned(),
            None,
        );
        async move { render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page.await?) }
    };
    let name = match DomainName::parse(&typed) {
        Ok(name) => name,
        Err(message) => return refused(message).await,
    };
    match domains::add(&state, &manager(&admin, &ip), &name).await {
        Ok(_) => Ok(Notice::DomainAdded.redirect(&Urls::OrgAdminDomains.with(&admin.org.slug))),
        Err(Error::Conflict(Conflict::DomainAlreadyAdded)) => refused(ALREADY_ADDED).await,
        Err(err) => Err(err.into()),
    }
}

pub async fn verify(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<DomainPath>,
) -> Result<HttpResponse, AppError> {
    let id = DomainId::from_stored(path.into_inner().id);
    let back = Urls::OrgAdminDomains.with(&admin.org.slug);
    match domains::verify(&state, &manager(&admin, &ip), &id).await {
        Ok(Verification::Verified) => Ok(Notice::DomainVerified.redirect(&back)),
        Ok(Verification::NotVerified(_)) => Ok(Notice::DomainNotVerified.redirect(&back)),
        Err(Error::Conflict(Conflict::DomainTaken)) => {
            let page = page_of(
                page,
                &state,
                &admin,
                String::new(),
                String::new(),
                Some(DOMAIN_TAKEN),
            );
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page.await?)
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn remove(
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<DomainPath>,
) -> Result<HttpResponse, AppError> {
    let id = DomainId::from_stored(path.into_inner().id);
    domains::remove(&state, &manager(&admin, &ip), &id).await?;
    Ok(Notice::DomainRemoved.redirect(&Urls::OrgAdminDomains.with(&admin.org.slug)))
}
