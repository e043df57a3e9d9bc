//! `/orgs`: the organization picker and switcher.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{CurrentUser, TypedSession};
use crate::domain::{OrgChoice, Slug};
use crate::error::AppError;
use crate::services::{Error, landing, members};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status, see_other};
use crate::web::urls::Urls;

#[derive(Template)]
#[template(path = "orgs/picker.html")]
struct PickerPage {
    page: Page,
    choices: Vec<OrgChoice>,
    /// Why leaving was refused, shown above the list.
    refusal: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct SwitchForm {
    slug: String,
}

pub async fn get(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let choices = landing::choices(&state, &user, session.confined_to().as_ref()).await?;
    render(&PickerPage {
        page,
        choices,
        refusal: None,
    })
}

/// Makes one of the user's organizations the current one.
pub async fn switch(
    state: web::Data<AppState>,
    session: TypedSession,
    CurrentUser(user): CurrentUser,
    form: web::Form<SwitchForm>,
) -> Result<HttpResponse, AppError> {
    let chosen =
        landing::switch_to(&state, &user, &form.slug, session.confined_to().as_ref()).await?;
    session.set_org(&chosen.id).map_err(AppError::unexpected)?;
    Ok(see_other(&Urls::OrgHome.with(&chosen.slug)))
}

/// `/o/{slug}/leave`: the member leaves the organization (its last owner cannot).
pub async fn leave(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = Slug::from_path(&slug).ok_or(AppError::NotFound)?;
    match members::leave(&state, &user, &slug, &ip.0).await {
        Ok(()) => {
            session.clear_org();
            Ok(Notice::LeftOrganization.redirect(Urls::Orgs.pattern()))
        }
        Err(Error::Refused(refusal)) => {
            let choices = landing::choices(&state, &user, session.confined_to().as_ref()).await?;
            let page = PickerPage {
                page,
                choices,
                refusal: Some(refusal.message()),
            };
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(err) => Err(err.into()),
    }
}
