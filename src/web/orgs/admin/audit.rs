//! `/o/{slug}/admin/audit`: the organization's audit log, filtered by actor, action and days,
//! newest first; `/o/{slug}/admin/audit.csv` exports what the filters select.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{AdminNav, Section};
use crate::auth::OrgAdmin;
use crate::domain::audit_filter::{self, AuditFilter};
use crate::domain::{AuditAction, AuditEntry};
use crate::error::AppError;
use crate::services::audit_log;
use crate::state::AppState;
use crate::web::forms::FieldErrors;
use crate::web::orgs::admin::audit_csv;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::OrgAdminAudit.pattern(), web::get().to(list))
        .route(Urls::OrgAdminAuditCsv.pattern(), web::get().to(export));
}

/// The filters as the form sent them, kept to refill the form and to carry into the next
/// page and the export link.
#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    before: Option<String>,
}

impl FilterQuery {
    /// The filters, or what is wrong with them, one message per field.
    fn parse(&self) -> Result<AuditFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let actor = errors.check("actor", audit_filter::parse_actor(&self.actor));
        let action = errors.check("action", audit_filter::parse_action(&self.action));
        let from = errors.check("from", audit_filter::parse_day(&self.from));
        let to = errors.check("to", audit_filter::parse_day(&self.to));
        if let (Some(from), Some(to)) = (from, to) {
            errors.check("to", audit_filter::check_range(from, to));
        }
        match (actor, action, from, to) {
            (Some(actor), Some(action), Some(from), Some(to)) if errors.is_empty() => {
                Ok(AuditFilter {
                    actor,
                    action,
                    from,
                    to,
                })
            }
            _ => Err(errors),
        }
    }

    /// The filters as a query string, without the page cursor.
    fn query_string(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("actor", &self.actor)
            .append_pair("action", &self.action)
            .append_pair("from", &self.from)
            .append_pair("to", &self.to)
            .finish()
    }
}

#[derive(Template)]
#[template(path = "orgs/admin/audit.html")]
struct AuditPage {
    page: Page,
    admin: AdminNav,
    query: FilterQuery,
    narrowed: bool,
    events: Vec<AuditEntry>,
    next: Option<String>,
    errors: FieldErrors,
}

impl AuditPage {
    /// The actions an organization's log can hold.
    fn actions(&self) -> Vec<AuditAction> {
        AuditAction::ALL
            .into_iter()
            .filter(|action| action.concerns_organizations())
            .collect()
    }
}

async fn list(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let nav = AdminNav::new(&admin, Section::Audit);
    let filter = match query.parse() {
        Ok(filter) => filter,
        Err(errors) => {
            let page = AuditPage {
                page,
                admin: nav,
                query,
                narrowed: true,
                events: Vec::new(),
                next: None,
                errors,
            };
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let found = audit_log::page(&state, &admin.org.id, &filter, query.before.as_deref()).await?;
    render(&AuditPage {
        page,
        admin: nav,
        query,
        narrowed: filter.is_narrowed(),
        events: found.items,
        next: found.next,
        errors: FieldErrors::default(),
    })
}

/// The filtered log as CSV, streamed: a bad filter is refused before anything is sent.
async fn export(
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let Ok(filter) = query.parse() else {
        return Err(AppError::BadRequest(
            "The filters are not valid; correct them on the audit log page.".into(),
        ));
    };
    let batches = audit_log::export(state.store.clone(), admin.org.id.clone(), filter);
    Ok(audit_csv::response(admin.org.slug.as_str(), batches))
}
