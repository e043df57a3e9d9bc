//! `/o/{slug}/admin/settings`: the organization's display name, who may join without an
//! invitation, and how long invitations last. For owners.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{AdminNav, Section};
use crate::auth::OrgOwner;
use crate::domain::audit::Actor;
use crate::domain::{InvitationLifetime, JoinPolicy, OrgName};
use crate::error::AppError;
use crate::services::organizations::{self, Settings};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(Urls::OrgAdminSettings.pattern())
            .get(get)
            .post(post),
    );
}

#[derive(Template)]
#[template(path = "orgs/admin/settings.html")]
struct SettingsPage {
    page: Page,
    admin: AdminNav,
    name: String,
    join_policy: Option<JoinPolicy>,
    days: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    join_policy: String,
    #[serde(default)]
    invitation_days: String,
}

pub async fn get(page: Page, OrgOwner(owner): OrgOwner) -> Result<HttpResponse, AppError> {
    let org = &owner.org;
    render(&SettingsPage {
        page: page.working_in(&org.name),
        admin: AdminNav::new(&owner, Section::Settings),
        name: org.name.clone(),
        join_policy: Some(org.join_policy),
        days: org.invitation_lifetime.days().to_string(),
        errors: FieldErrors::default(),
    })
}

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    OrgOwner(owner): OrgOwner,
    ip: ClientIp,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", OrgName::parse(&form.name));
    let join_policy = errors.check("join_policy", JoinPolicy::parse(&form.join_policy));
    let lifetime = errors.check(
        "invitation_days",
        InvitationLifetime::parse(&form.invitation_days),
    );
    let (Some(name), Some(join_policy), Some(invitation_lifetime)) = (name, join_policy, lifetime)
    else {
        let form = form.into_inner();
        let page = SettingsPage {
            page: page.working_in(&owner.org.name),
            admin: AdminNav::new(&owner, Section::Settings),
            name: form.name,
            join_policy: JoinPolicy::from_stored(&form.join_policy),
            days: form.invitation_days,
            errors,
        };
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let settings = Settings {
        name,
        join_policy,
        invitation_lifetime,
    };
    let actor = Actor::user(&owner.user, &ip.0);
    organizations::update_settings(&state, &actor, &owner.org, &settings).await?;
    Ok(Notice::SettingsSaved.redirect(&Urls::OrgAdminSettings.with(&owner.org.slug)))
}
