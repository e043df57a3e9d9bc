//! `/admin/apps`: the operator registers the product's applications, reads their settings and
//! replaces a confidential application's secret. A secret is shown on the page that made it,
//! that once.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::Operator;
use crate::domain::application::{
    AppName, Application, ClientKind, ClientSecret, NewApplication, OrgPolicy, RedirectUri,
    parse_uris,
};
use crate::domain::audit::Actor;
use crate::domain::signing_key::SigningAlgorithm;
use crate::error::AppError;
use crate::services::applications;
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::OperatorApps.pattern(), web::get().to(list))
        .service(
            web::resource(Urls::OperatorNewApp.pattern())
                .get(new_form)
                .post(create),
        )
        .route(Urls::OperatorApp.pattern(), web::get().to(show))
        .route(
            Urls::OperatorAppSecret.pattern(),
            web::post().to(rotate_secret),
        );
}

#[derive(Template)]
#[template(path = "operator/apps.html")]
struct AppList {
    page: Page,
    apps: Vec<Application>,
}

#[derive(Template)]
#[template(path = "operator/app_new.html")]
struct NewAppPage {
    page: Page,
    form: AppForm,
    errors: FieldErrors,
}

impl NewAppPage {
    fn policies(&self) -> [OrgPolicy; 3] {
        OrgPolicy::ALL
    }

    fn algorithms(&self) -> [SigningAlgorithm; 2] {
        SigningAlgorithm::ALL
    }
}

#[derive(Template)]
#[template(path = "operator/app_show.html")]
struct AppPage {
    page: Page,
    app: Application,
    /// A secret just made: shown on this response only.
    secret: Option<ClientSecret>,
    /// True when the secret replaced another, which keeps working for a while.
    rotated: bool,
}

impl AppPage {
    fn grace_hours(&self) -> i64 {
        applications::SECRET_GRACE_SECS / 3600
    }
}

/// The registration form as sent. Missing fields are empty, so that a stranger's POST is
/// refused for who they are before what they sent.
#[derive(Debug, Default, Deserialize)]
pub struct AppForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    organizations: String,
    #[serde(default)]
    redirect_uris: String,
    #[serde(default)]
    post_logout_redirect_uris: String,
    #[serde(default)]
    initiate_login_uri: String,
    #[serde(default)]
    backchannel_logout_uri: String,
    #[serde(default)]
    signing_algorithm: String,
    /// The checkbox: present when ticked.
    #[serde(default)]
    deployment_default: Option<String>,
}

impl AppForm {
    fn parse(&self) -> Result<NewApplication, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", AppName::parse(&self.name));
        let kind = errors.check(
            "kind",
            ClientKind::parse(&self.kind).ok_or("Choose what kind of application it is."),
        );
        let organizations = errors.check(
            "organizations",
            OrgPolicy::parse(&self.organizations).ok_or("Choose how it treats organizations."),
        );
        let lines = |text: &str, required| parse_uris(&text.lines().collect::<Vec<_>>(), required);
        let redirect_uris = errors.check("redirect_uris", lines(&self.redirect_uris, true));
        let post_logout_redirect_uris = errors.check(
            "post_logout_redirect_uris",
            lines(&self.post_logout_redirect_uris, false),
        );
        let optional_uri = |text: &str| match text.trim() {
            "" => Ok(None),
            uri => RedirectUri::parse(uri).map(Some),
        };
        let initiate_login_uri =
            errors.check("initiate_login_uri", optional_uri(&self.initiate_login_uri));
        let backchannel_logout_uri = errors.check(
            "backchannel_logout_uri",
            optional_uri(&self.backchannel_logout_uri),
        );
        let signing_algorithm = errors.check(
            "signing_algorithm",
            match self.signing_algorithm.as_str() {
                // RS256 unless chosen otherwise: what OpenID Connect requires of everyone.
                "" => Some(SigningAlgorithm::Rs256),
                chosen => SigningAlgorithm::parse(chosen),
            }
            .ok_or("Choose how its tokens are signed."),
        );
        let deployment_default = self.deployment_default.is_some();
        if deployment_default && matches!(initiate_login_uri, Some(None)) {
            errors.add(
                "deployment_default",
                "A default application needs an initiate login URI to send people to.",
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        match (
            name,
            kind,
            organizations,
            redirect_uris,
            post_logout_redirect_uris,
            initiate_login_uri,
            backchannel_logout_uri,
            signing_algorithm,
        ) {
            (
                Some(name),
                Some(kind),
                Some(organizations),
                Some(redirect_uris),
                Some(post_logout_redirect_uris),
                Some(initiate_login_uri),
                Some(backchannel_logout_uri),
                Some(signing_algorithm),
            ) => Ok(NewApplication {
                name,
                kind,
                organizations,
                redirect_uris,
                post_logout_redirect_uris,
                initiate_login_uri,
                backchannel_logout_uri,
                signing_algorithm,
                deployment_default,
            }),
            _ => Err(errors),
        }
    }
}

async fn list(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
) -> Result<HttpResponse, AppError> {
    let apps = applications::list(&state.store).await?;
    render(&AppList { page, apps })
}

async fn new_form(page: Page, _op: Operator) -> Result<HttpResponse, AppError> {
    let form = AppForm {
        kind: ClientKind::Confidential.as_str().to_owned(),
        organizations: OrgPolicy::Required.as_str().to_owned(),
        signing_algorithm: SigningAlgorithm::Rs256.as_str().to_owned(),
        ..AppForm::default()
    };
    render(&NewAppPage {
        page,
        form,
        errors: FieldErrors::default(),
    })
}

async fn create(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    form: web::Form<AppForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let app = match form.parse() {
        Ok(app) => app,
        Err(errors) => {
            let page = NewAppPage { page, form, errors };
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let actor = Actor::user(&operator, &ip.0);
    let (app, secret) = applications::register(&state.store, &actor, &app).await?;
    // Rendered, not redirected: the secret must not travel in a URL or a session.
    render_with_status(
        StatusCode::CREATED,
        &AppPage {
            page,
            app,
            secret,
            rotated: false,
        },
    )
}

#[derive(Deserialize)]
pub struct AppPath {
    client_id: String,
}

async fn show(
    page: Page,
    state: web::Data<AppState>,
    _op: Operator,
    path: web::Path<AppPath>,
) -> Result<HttpResponse, AppError> {
    let app = applications::find(&state.store, &path.client_id).await?;
    render(&AppPage {
        page,
        app,
        secret: None,
        rotated: false,
    })
}

async fn rotate_secret(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    ip: ClientIp,
    path: web::Path<AppPath>,
) -> Result<HttpResponse, AppError> {
    let actor = Actor::user(&operator, &ip.0);
    let secret = applications::rotate_secret(&state.store, &actor, &path.client_id).await?;
    let app = applications::find(&state.store, &path.client_id).await?;
    render(&AppPage {
        page,
        app,
        secret: Some(secret),
        rotated: true,
    })
}
