//! `/orgs`: the organization picker and switcher.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{CurrentUser, TypedSession};
use crate::domain::OrgChoice;
use crate::error::AppError;
use crate::services::landing;
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::respond::{render, see_other};
use crate::web::urls::Urls;

#[derive(Template)]
#[template(path = "orgs/picker.html")]
struct PickerPage {
    page: Page,
    choices: Vec<OrgChoice>,
}

#[derive(Deserialize)]
pub struct SwitchForm {
    slug: String,
}

pub async fn get(
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
    let chosen = landing::switch_to(&state, &user, &form.slug).await?;
    session.set_org(&chosen.id).map_err(AppError::unexpected)?;
    Ok(see_other(&Urls::OrgHome.with(&chosen.slug)))
}
