//! `/admin/legacy`: the operator's legacy identity stores. Adding or changing one checks it
//! against the store itself and shows what the check found; each store's page is its
//! migration cockpit (who came over how, who is left, the same over time) with the button
//! that imports the rest.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::Operator;
use crate::domain::ConnectionId;
use crate::domain::audit::Actor;
use crate::domain::legacy::LegacyConnection;
use crate::domain::migration_chart;
use crate::error::AppError;
use crate::services::SetupError;
use crate::services::import::{LegacyAccess, Refused, legacy_source};
use crate::services::legacy::cockpit::{self, Cockpit};
use crate::services::legacy::settings::{self, CheckSummary, LegacyFields};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::operator::directory::utc;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status, see_other};
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::OperatorLegacyStores.pattern(), web::get().to(list))
        .service(
            web::resource(Urls::OperatorNewLegacyStore.pattern())
                .get(new_form)
                .post(create),
        )
        .route(Urls::OperatorLegacyStore.pattern(), web::get().to(show))
        .service(
            web::resource(Urls::OperatorEditLegacyStore.pattern())
                .get(edit_form)
                .post(update),
        )
        .route(
            Urls::OperatorLegacyStoreOrgs.pattern(),
            web::post().to(enable),
        )
        .route(
            Urls::OperatorLegacyStoreOrgRemove.pattern(),
            web::post().to(disable),
        )
        .route(
            Urls::OperatorLegacyStoreImport.pattern(),
            web::post().to(import_the_rest),
        );
}

#[derive(Template)]
#[template(path = "operator/legacy_stores.html")]
struct ListPage {
    page: Page,
    stores: Vec<LegacyConnection>,
}

#[derive(Template)]
#[template(path = "operator/legacy_form.html")]
struct FormPage {
    page: Page,
    /// The store being changed; `None` for a new one.
    store: Option<LegacyConnection>,
    form: LegacyFields,
    error: String,
}

#[derive(Template)]
#[template(path = "operator/legacy_show.html")]
struct CockpitPage {
    page: Page,
    cockpit: Cockpit,
    /// What the check of just-saved settings found.
    checked: Option<CheckSummary>,
    error: String,
}

impl CockpitPage {
    fn chart_start(&self) -> String {
        utc(&self.cockpit.chart_from)
    }

    fn chart_width(&self) -> i64 {
        migration_chart::WIDTH
    }

    fn chart_height(&self) -> i64 {
        migration_chart::HEIGHT
    }

    fn chart_step(&self) -> &'static str {
        match self.cockpit.chart_step {
            60 => "minute",
            3600 => "hour",
            86_400 => "day",
            _ => "week",
        }
    }
}

async fn list(
    page: Page,
    state: web::Data<AppState>,
    Operator(_): Operator,
) -> Result<HttpResponse, AppError> {
    render(&ListPage {
        page,
        stores: settings::list(&state).await?,
    })
}

async fn new_form(page: Page, Operator(_): Operator) -> Result<HttpResponse, AppError> {
    let form = LegacyFields {
        backend: "sql".into(),
        mode: "migrate".into(),
        ..LegacyFields::default()
    };
    render(&FormPage {
        page,
        store: None,
        form,
        error: String::new(),
    })
}

async fn create(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    form: web::Form<LegacyFields>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let actor = Actor::user(&operator, &ip.0);
    match settings::create(&state, &actor, form.clone()).await {
        Ok((store, summary)) => saved(page, &state, &store.connection_id, summary).await,
        Err(SetupError::Refused(error)) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormPage {
                page,
                store: None,
                form: form.without_secrets(),
                error,
            },
        ),
        Err(SetupError::Failed(err)) => Err(err.into()),
    }
}

/// The cockpit with what the check found, answered to the form's POST itself.
async fn saved(
    page: Page,
    state: &AppState,
    id: &ConnectionId,
    summary: CheckSummary,
) -> Result<HttpResponse, AppError> {
    render(&CockpitPage {
        page,
        cockpit: cockpit::view(state, id).await?,
        checked: Some(summary),
        error: String::new(),
    })
}

async fn show(
    page: Page,
    state: web::Data<AppState>,
    Operator(_): Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner());
    render(&CockpitPage {
        page,
        cockpit: cockpit::view(&state, &id).await?,
        checked: None,
        error: String::new(),
    })
}

async fn edit_form(
    page: Page,
    state: web::Data<AppState>,
    Operator(_): Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner());
    let store = settings::find(&state, &id).await?;
    render(&FormPage {
        page,
        form: LegacyFields::of(&store),
        store: Some(store),
        error: String::new(),
    })
}

async fn update(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    path: web::Path<String>,
    form: web::Form<LegacyFields>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner());
    let form = form.into_inner();
    let actor = Actor::user(&operator, &ip.0);
    match settings::update(&state, &actor, &id, form.clone()).await {
        Ok((_, summary)) => saved(page, &state, &id, summary).await,
        Err(SetupError::Refused(error)) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormPage {
                page,
                store: Some(settings::find(&state, &id).await?),
                form: form.without_secrets(),
                error,
            },
        ),
        Err(SetupError::Failed(err)) => Err(err.into()),
    }
}

#[derive(Deserialize)]
pub struct EnableForm {
    organization: String,
}

async fn enable(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    path: web::Path<String>,
    form: web::Form<EnableForm>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner());
    let actor = Actor::user(&operator, &ip.0);
    let done = settings::enable_for(&state, &actor, &id, &form.organization).await;
    back_to_cockpit(page, &state, &id, done).await
}

async fn disable(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    path: web::Path<String>,
    form: web::Form<EnableForm>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner());
    let actor = Actor::user(&operator, &ip.0);
    let done = settings::disable_for(&state, &actor, &id, &form.organization).await;
    back_to_cockpit(page, &state, &id, done).await
}

/// After a change made on the cockpit: back to it, or it again with why not.
async fn back_to_cockpit(
    page: Page,
    state: &AppState,
    id: &ConnectionId,
    done: Result<(), SetupError>,
) -> Result<HttpResponse, AppError> {
    match done {
        Ok(()) => Ok(see_other(&Urls::OperatorLegacyStore.with(id))),
        Err(SetupError::Refused(error)) => refuse(page, state, id, error).await,
        Err(SetupError::Failed(err)) => Err(err.into()),
    }
}

async fn refuse(
    page: Page,
    state: &AppState,
    id: &ConnectionId,
    error: String,
) -> Result<HttpResponse, AppError> {
    render_with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &CockpitPage {
            page,
            cockpit: cockpit::view(state, id).await?,
            checked: None,
            error,
        },
    )
}

async fn import_the_rest(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner());
    let store = settings::find(&state, &id).await?;
    let access = LegacyAccess {
        sealer: state.sealer.clone(),
        stores: state.legacy.clone(),
    };
    match legacy_source::create(&state.store, &access, &store, Some(&operator)).await {
        Ok(job) => Ok(see_other(&Urls::OperatorImport.with(&job))),
        Err(Refused::Failed(err)) => Err(err.into()),
        Err(refused) => {
            refuse(
                page,
                &state,
                &id,
                format!("Nothing was imported: {refused}."),
            )
            .await
        }
    }
}
