//! `/o/{slug}/admin/branding`: the logo and colours of the organization's sign-in, sign-up and
//! invitation pages and of its emails. "Preview" re-renders the page with the organization's
//! sign-in page as the submitted values would make it, saving nothing and needing no script;
//! "Save" saves them.
mod form;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use self::form::{Action, Submitted, Upload};
use super::{AdminNav, Section};
use crate::auth::{OrgAdmin, OrgMember};
use crate::domain::Slug;
use crate::domain::branding::{
    BrandingChange, ContrastWarning, LogoChange, LogoImage, LogoRefusal, MAX_LOGO_BYTES,
    contrast_warnings,
};
use crate::domain::organization::parse_color;
use crate::error::AppError;
use crate::services::branding;
use crate::services::members::Manager;
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::notice::Notice;
use crate::web::orgs::brand;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::urls::{self, Urls};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(Urls::OrgAdminBranding.pattern())
            .get(get)
            .post(post),
    )
    .route(
        Urls::OrgAdminBrandingPreviewCss.pattern(),
        web::get().to(preview_css),
    );
}

#[derive(Template)]
#[template(path = "orgs/admin/branding.html")]
struct BrandingPage {
    page: Page,
    admin: AdminNav,
    /// The colours as typed (or as saved); empty for Usher's own.
    primary_color: String,
    background_color: String,
    remove_logo: bool,
    /// The saved logo, as the organization's pages show it.
    current_logo: Option<String>,
    /// A logo chosen but not saved yet, carried in the form so that "Save" after "Preview"
    /// needs no second upload.
    carried_logo: Option<LogoImage>,
    preview: Option<Preview>,
    warnings: Vec<ContrastWarning>,
    errors: FieldErrors,
}

impl BrandingPage {
    /// The new form for the admin's organization, as saved.
    fn of(page: Page, admin: &OrgMember) -> Self {
        let org = &admin.org;
        Self {
            page: page.working_in(&org.name),
            admin: AdminNav::new(admin, Section::Branding),
            primary_color: org.primary_color.clone().unwrap_or_default(),
            background_color: org.background_color.clone().unwrap_or_default(),
            remove_logo: false,
            current_logo: urls::logo_src(org),
            carried_logo: None,
            preview: None,
            warnings: contrast_warnings(
                org.primary_color.as_deref(),
                org.background_color.as_deref(),
            ),
            errors: FieldErrors::default(),
        }
    }

    /// The contrast warning about `field`'s colour, shown beside it ("" when none).
    fn warning(&self, field: &str) -> &str {
        self.warnings
            .iter()
            .find(|w| w.field == field)
            .map_or("", |w| w.message.as_str())
    }

    fn max_logo_kb(&self) -> usize {
        MAX_LOGO_BYTES / 1024
    }
}

/// The organization's sign-in page as the submitted values would make it.
struct Preview {
    org_name: String,
    /// The preview's colours, as a stylesheet of the portal's own (the CSP allows no inline
    /// styles).
    stylesheet: String,
    /// The new logo as a `data:` URL, the saved one, or none.
    logo: Option<String>,
}

pub async fn get(page: Page, OrgAdmin(admin): OrgAdmin) -> Result<HttpResponse, AppError> {
    render(&BrandingPage::of(page, &admin))
}

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let submitted = form::read(multipart).await?;
    let action = submitted.action;
    let mut errors = FieldErrors::default();
    let primary = errors.check("primary_color", parse_color(&submitted.primary_color));
    let background = errors.check("background_color", parse_color(&submitted.background_color));
    let logo = logo_change(&submitted, &mut errors);
    let change = BrandingChange {
        primary_color: primary.flatten(),
        background_color: background.flatten(),
        logo: logo.clone().unwrap_or(LogoChange::Keep),
    };
    if errors.is_empty() && action == Action::Save {
        let manager = Manager {
            user: &admin.user,
            org: &admin.org,
            role: admin.role,
            client_ip: &ip.0,
        };
        branding::save(&state, &manager, &change).await?;
        return Ok(Notice::BrandingSaved.redirect(&Urls::OrgAdminBranding.with(&admin.org.slug)));
    }

    let org = &admin.org;
    let status = match (&submitted.upload, errors.is_empty()) {
        (_, true) => StatusCode::OK,
        (Upload::TooLarge, false) => StatusCode::PAYLOAD_TOO_LARGE,
        (_, false) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let preview = errors.is_empty().then(|| Preview {
        org_name: org.name.clone(),
        stylesheet: preview_stylesheet(
            &org.slug,
            change.primary_color.as_deref(),
            change.background_color.as_deref(),
        ),
        logo: match &change.logo {
            LogoChange::Replace(image) => Some(image.data_url()),
            LogoChange::Remove => None,
            LogoChange::Keep => urls::logo_src(org),
        },
    });
    let form = BrandingPage {
        primary_color: submitted.primary_color,
        background_color: submitted.background_color,
        remove_logo: submitted.remove_logo,
        carried_logo: match logo {
            Some(LogoChange::Replace(image)) => Some(image),
            _ => None,
        },
        preview,
        warnings: contrast_warnings(
            change.primary_color.as_deref(),
            change.background_color.as_deref(),
        ),
        errors,
        ..BrandingPage::of(page, &admin)
    };
    render_with_status(status, &form)
}

/// What the submission does to the logo; `None` (with the reason in `errors`) when the file
/// cannot be the logo. A new file wins over one carried from a preview.
fn logo_change(submitted: &Submitted, errors: &mut FieldErrors) -> Option<LogoChange> {
    let refused = |refusal: LogoRefusal| refusal.message();
    match (&submitted.upload, submitted.remove_logo) {
        (Upload::TooLarge, _) => {
            errors.add("logo", refused(LogoRefusal::TooLarge));
            None
        }
        (Upload::File(_), true) => {
            errors.add(
                "logo",
                "Choose a new logo or remove the logo, not both at once.",
            );
            None
        }
        (Upload::File(bytes), false) => errors
            .check("logo", LogoImage::parse(bytes.clone()).map_err(refused))
            .map(LogoChange::Replace),
        (Upload::None, true) => Some(LogoChange::Remove),
        (Upload::None, false) if !submitted.carried_logo.is_empty() => errors
            .check(
                "logo",
                LogoImage::from_base64(&submitted.carried_logo).map_err(refused),
            )
            .map(LogoChange::Replace),
        (Upload::None, false) => Some(LogoChange::Keep),
    }
}

fn preview_stylesheet(slug: &Slug, primary: Option<&str>, background: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(color) = primary {
        query.append_pair("primary_color", color);
    }
    if let Some(color) = background {
        query.append_pair("background_color", color);
    }
    format!(
        "{}?{}",
        Urls::OrgAdminBrandingPreviewCss.with(slug),
        query.finish()
    )
}

#[derive(Deserialize)]
pub struct PreviewColors {
    #[serde(default)]
    primary_color: String,
    #[serde(default)]
    background_color: String,
}

/// The preview's colours, scoped to its box. The colours come from the query, so they are
/// parsed here again before they are written into CSS.
pub async fn preview_css(
    OrgAdmin(_): OrgAdmin,
    query: web::Query<PreviewColors>,
) -> Result<HttpResponse, AppError> {
    let parse = |value: &str| parse_color(value).map_err(|_| AppError::NotFound);
    let primary = parse(&query.primary_color)?;
    let background = parse(&query.background_color)?;
    let css = brand::stylesheet(".brand-preview", primary.as_deref(), background.as_deref());
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .body(css))
}
