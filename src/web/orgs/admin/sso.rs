//! `/o/{slug}/admin/sso`: the organization's identity providers. Adding one fetches its
//! discovery document; each connection's page shows the redirect URI to register, the
//! provider's endpoints, how its sign-ins went, and runs a test sign-in.
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use tracing_actix_web::RequestId;

use super::{AdminNav, Section};
use crate::auth::{OrgAdmin, OrgMember};
use crate::domain::sso::{
    ClaimMap, DEFAULT_SCOPES, OidcConnection, RoleRules, SsoSettings, parse_scopes,
};
use crate::domain::{ConnectionId, Role};
use crate::error::AppError;
use crate::services::SetupError;
use crate::services::members::Manager;
use crate::services::sso::connections::{self, ConnectionView, ProviderFields};
use crate::services::sso::sign_in;
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::notice::Notice;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::sso::start;
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(Urls::OrgAdminSso.pattern())
            .get(list)
            .post(create),
    )
    .service(
        web::resource(Urls::OrgAdminSsoConnection.pattern())
            .get(show)
            .post(update),
    )
    .route(
        Urls::OrgAdminSsoSecret.pattern(),
        web::post().to(replace_secret),
    )
    .route(Urls::OrgAdminSsoEnable.pattern(), web::post().to(enable))
    .route(Urls::OrgAdminSsoDisable.pattern(), web::post().to(disable))
    .route(Urls::OrgAdminSsoDelete.pattern(), web::post().to(delete))
    .route(Urls::OrgAdminSsoTest.pattern(), web::post().to(test));
}

/// The connection form's fields as typed (checkboxes absent when unticked).
#[derive(Deserialize)]
pub struct ConnectionForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    scopes: String,
    #[serde(default)]
    claim_email: String,
    #[serde(default)]
    claim_name: String,
    #[serde(default)]
    claim_given_name: String,
    #[serde(default)]
    claim_family_name: String,
    #[serde(default)]
    claim_groups: String,
    #[serde(default)]
    role_rules: String,
    #[serde(default)]
    default_role: String,
    create_users: Option<String>,
    update_every_sign_in: Option<String>,
    enforce_sso: Option<String>,
}

/// The form as a template fills it in.
pub struct FormValues {
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    pub scopes: String,
    pub claims: ClaimMap,
    pub role_rules: String,
    pub default_role: Role,
    pub create_users: bool,
    pub update_every_sign_in: bool,
    pub enforce_sso: bool,
}

impl FormValues {
    fn blank() -> Self {
        Self {
            display_name: String::new(),
            issuer: String::new(),
            client_id: String::new(),
            scopes: DEFAULT_SCOPES.into(),
            claims: ClaimMap::default(),
            role_rules: String::new(),
            default_role: Role::Member,
            create_users: true,
            update_every_sign_in: true,
            enforce_sso: false,
        }
    }

    fn of(connection: &OidcConnection) -> Self {
        let settings = &connection.settings;
        Self {
            display_name: settings.display_name.clone(),
            issuer: connection.issuer.clone(),
            client_id: connection.client_id.clone(),
            scopes: settings.scopes.join(" "),
            claims: settings.claim_map.clone(),
            role_rules: settings.role_rules.to_text(),
            default_role: settings.default_role,
            create_users: settings.create_users,
            update_every_sign_in: settings.update_every_sign_in,
            enforce_sso: settings.enforce_sso,
        }
    }

    fn typed(form: &ConnectionForm) -> Self {
        let claim = |typed: &str, default: &str| {
            let typed = typed.trim();
            if typed.is_empty() { default } else { typed }.to_owned()
        };
        let defaults = ClaimMap::default();
        Self {
            display_name: form.display_name.trim().to_owned(),
            issuer: form.issuer.trim().to_owned(),
            client_id: form.client_id.trim().to_owned(),
            scopes: form.scopes.trim().to_owned(),
            claims: ClaimMap {
                email: claim(&form.claim_email, &defaults.email),
                name: claim(&form.claim_name, &defaults.name),
                given_name: claim(&form.claim_given_name, &defaults.given_name),
                family_name: claim(&form.claim_family_name, &defaults.family_name),
                groups: claim(&form.claim_groups, &defaults.groups),
            },
            role_rules: form.role_rules.clone(),
            default_role: Role::parse(&form.default_role).unwrap_or(Role::Member),
            create_users: form.create_users.is_some(),
            update_every_sign_in: form.update_every_sign_in.is_some(),
            enforce_sso: form.enforce_sso.is_some(),
        }
    }

    pub fn roles(&self) -> [Role; 3] {
        [Role::Member, Role::Admin, Role::Owner]
    }
}

#[derive(Template)]
#[template(path = "orgs/admin/sso.html")]
struct ListPage {
    page: Page,
    admin: AdminNav,
    connections: Vec<OidcConnection>,
    values: FormValues,
    errors: FieldErrors,
    refusal: String,
}

#[derive(Template)]
#[template(path = "orgs/admin/sso_connection.html")]
struct ConnectionPage {
    page: Page,
    admin: AdminNav,
    view: ConnectionView,
    values: FormValues,
    errors: FieldErrors,
    refusal: String,
}

#[derive(Deserialize)]
pub struct ConnectionPath {
    #[allow(dead_code)]
    slug: String,
    id: String,
}

#[derive(Deserialize)]
pub struct SecretForm {
    #[serde(default)]
    new_client_secret: String,
}

#[derive(Deserialize)]
pub struct DeleteForm {
    confirm: Option<String>,
}

fn manager<'a>(admin: &'a OrgMember, ip: &'a ClientIp) -> Manager<'a> {
    Manager {
        user: &admin.user,
        org: &admin.org,
        role: admin.role,
        client_ip: &ip.0,
    }
}

/// What the form says, parsed: the provider's fields and the settings, or every problem.
fn parsed(
    form: &ConnectionForm,
    errors: &mut FieldErrors,
) -> Option<(ProviderFields, SsoSettings)> {
    let values = FormValues::typed(form);
    let name = (!values.display_name.is_empty() && values.display_name.len() <= 100)
        .then(|| values.display_name.clone());
    if name.is_none() {
        errors.add(
            "display_name",
            "Enter the name people see on the button, like Okta.",
        );
    }
    let scopes = errors.check("scopes", parse_scopes(&values.scopes));
    let rules = errors.check("role_rules", RoleRules::parse(&values.role_rules));
    let default_role = errors.check("default_role", Role::parse(&form.default_role));
    let settings = SsoSettings {
        display_name: name?,
        scopes: scopes?,
        claim_map: values.claims,
        role_rules: rules?,
        default_role: default_role?,
        create_users: values.create_users,
        update_every_sign_in: values.update_every_sign_in,
        enforce_sso: values.enforce_sso,
    };
    let fields = ProviderFields {
        issuer: values.issuer,
        client_id: values.client_id,
        client_secret: form.client_secret.clone(),
    };
    Some((fields, settings))
}

pub async fn list(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
) -> Result<HttpResponse, AppError> {
    render(&ListPage {
        page: page.working_in(&admin.org.name),
        admin: AdminNav::new(&admin, Section::Sso),
        connections: connections::list(&state, &admin.org).await?,
        values: FormValues::blank(),
        errors: FieldErrors::default(),
        refusal: String::new(),
    })
}

pub async fn create(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    form: web::Form<ConnectionForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let outcome = match parsed(&form, &mut errors) {
        Some((fields, settings)) => {
            Some(connections::create(&state, &manager(&admin, &ip), fields, settings).await)
        }
        None => None,
    };
    let refusal = match outcome {
        Some(Ok(connection)) => {
            let to = Urls::OrgAdminSsoConnection.with2(&admin.org.slug, &connection.connection_id);
            return Ok(Notice::SsoConnectionAdded.redirect(&to));
        }
        Some(Err(SetupError::Refused(message))) => message,
        Some(Err(SetupError::Failed(err))) => return Err(err.into()),
        None => String::new(),
    };
    let list = ListPage {
        page: page.working_in(&admin.org.name),
        admin: AdminNav::new(&admin, Section::Sso),
        connections: connections::list(&state, &admin.org).await?,
        values: FormValues::typed(&form),
        errors,
        refusal,
    };
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &list)
}

async fn connection_page(
    page: Page,
    state: &AppState,
    admin: &OrgMember,
    id: &ConnectionId,
    values: Option<FormValues>,
    errors: FieldErrors,
    refusal: String,
) -> Result<ConnectionPage, AppError> {
    let view = connections::view(state, &admin.org, id).await?;
    Ok(ConnectionPage {
        page: page.working_in(&admin.org.name),
        admin: AdminNav::new(admin, Section::Sso),
        values: values.unwrap_or_else(|| FormValues::of(&view.connection)),
        view,
        errors,
        refusal,
    })
}

pub async fn show(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    path: web::Path<ConnectionPath>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner().id);
    let page = connection_page(
        page,
        &state,
        &admin,
        &id,
        None,
        FieldErrors::default(),
        String::new(),
    );
    render(&page.await?)
}

pub async fn update(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<ConnectionPath>,
    form: web::Form<ConnectionForm>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner().id);
    let mut errors = FieldErrors::default();
    let outcome = match parsed(&form, &mut errors) {
        Some((fields, settings)) => {
            Some(connections::update(&state, &manager(&admin, &ip), &id, fields, settings).await)
        }
        None => None,
    };
    let refusal = match outcome {
        Some(Ok(_)) => {
            let to = Urls::OrgAdminSsoConnection.with2(&admin.org.slug, &id);
            return Ok(Notice::SsoConnectionSaved.redirect(&to));
        }
        Some(Err(SetupError::Refused(message))) => message,
        Some(Err(SetupError::Failed(err))) => return Err(err.into()),
        None => String::new(),
    };
    let values = Some(FormValues::typed(&form));
    let page = connection_page(page, &state, &admin, &id, values, errors, refusal).await?;
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

pub async fn replace_secret(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<ConnectionPath>,
    form: web::Form<SecretForm>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner().id);
    match connections::replace_secret(&state, &manager(&admin, &ip), &id, &form.new_client_secret)
        .await
    {
        Ok(()) => {
            let to = Urls::OrgAdminSsoConnection.with2(&admin.org.slug, &id);
            Ok(Notice::SsoSecretReplaced.redirect(&to))
        }
        Err(SetupError::Refused(message)) => {
            let page = connection_page(
                page,
                &state,
                &admin,
                &id,
                None,
                FieldErrors::default(),
                message,
            );
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page.await?)
        }
        Err(SetupError::Failed(err)) => Err(err.into()),
    }
}

async fn switch(
    state: &AppState,
    admin: &OrgMember,
    ip: &ClientIp,
    path: ConnectionPath,
    enabled: bool,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.id);
    connections::set_enabled(state, &manager(admin, ip), &id, enabled).await?;
    let notice = if enabled {
        Notice::SsoConnectionEnabled
    } else {
        Notice::SsoConnectionDisabled
    };
    Ok(notice.redirect(&Urls::OrgAdminSsoConnection.with2(&admin.org.slug, &id)))
}

pub async fn enable(
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<ConnectionPath>,
) -> Result<HttpResponse, AppError> {
    switch(&state, &admin, &ip, path.into_inner(), true).await
}

pub async fn disable(
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<ConnectionPath>,
) -> Result<HttpResponse, AppError> {
    switch(&state, &admin, &ip, path.into_inner(), false).await
}

const CONFIRM_DELETE: &str = "Tick the box to confirm: deleting cannot be undone.";

pub async fn delete(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    path: web::Path<ConnectionPath>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner().id);
    if form.confirm.is_none() {
        let refusal = CONFIRM_DELETE.to_owned();
        let page = connection_page(
            page,
            &state,
            &admin,
            &id,
            None,
            FieldErrors::default(),
            refusal,
        );
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page.await?);
    }
    connections::delete(&state, &manager(&admin, &ip), &id).await?;
    Ok(Notice::SsoConnectionDeleted.redirect(&Urls::OrgAdminSso.with(&admin.org.slug)))
}

/// Runs a test sign-in: the admin goes to the provider, and comes back to a report of what
/// it sent and what a sign-in would create, with nothing created.
pub async fn test(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    path: web::Path<ConnectionPath>,
    request_id: RequestId,
) -> Result<HttpResponse, AppError> {
    let id = ConnectionId::from_stored(path.into_inner().id);
    let connection = connections::find(&state, &admin.org, &id).await?;
    match sign_in::start(&state, &id, "", Some(&admin.user.id)).await {
        Ok(started) => start::continue_page(
            &req,
            page,
            &connection.settings.display_name,
            "Sign in at your identity provider as any of your people: Usher shows what it \
             receives, and creates nothing.",
            &started,
        ),
        Err(err) => start::failed(err, Some(request_id)),
    }
}
