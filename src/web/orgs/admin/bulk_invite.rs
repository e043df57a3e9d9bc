//! `/o/{slug}/admin/invitations/upload`: invitations from a CSV file (`email,role` per line),
//! answered with what became of each row. A file that is not such a file is refused whole:
//! nothing is invited and nothing is sent.
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use super::invitations::page_of;
use super::{AdminNav, Section};
use crate::auth::OrgAdmin;
use crate::domain::Role;
use crate::domain::audit::Actor;
use crate::domain::invitation_csv::{self, CsvError, CsvRow, MAX_BYTES};
use crate::error::AppError;
use crate::services::invitations::{self, Inviter, RowOutcome};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status};
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        Urls::OrgAdminInvitationsUpload.pattern(),
        web::post().to(upload),
    );
}

#[derive(Template)]
#[template(path = "orgs/admin/bulk_result.html")]
struct ResultPage {
    page: Page,
    admin: AdminNav,
    rows: Vec<(CsvRow, RowOutcome)>,
    invited: usize,
}

/// What the upload held: the file, or that it was too large to read.
enum Upload {
    File(Vec<u8>),
    TooLarge,
    Missing,
}

/// Reads the `file` field, keeping at most one byte past the limit (enough to know it is too
/// large); the rest of an oversized file is read and dropped so that its sender gets the page.
async fn read_file(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut upload = Upload::Missing;
    let mut total = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(malformed)?;
        let is_file = field.name() == Some("file");
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            total += chunk.len();
            if total > 4 * MAX_BYTES {
                return Err(AppError::PayloadTooLarge);
            }
            if !is_file || too_large {
                continue;
            }
            if bytes.len() + chunk.len() > MAX_BYTES {
                too_large = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            upload = match (too_large, bytes.is_empty()) {
                (true, _) => Upload::TooLarge,
                (false, true) => Upload::Missing,
                (false, false) => Upload::File(bytes),
            };
        }
    }
    Ok(upload)
}

fn malformed(err: actix_multipart::MultipartError) -> AppError {
    AppError::BadRequest(format!("unreadable multipart form: {err}"))
}

pub async fn upload(
    page: Page,
    state: web::Data<AppState>,
    OrgAdmin(admin): OrgAdmin,
    ip: ClientIp,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let parsed = match read_file(multipart).await? {
        Upload::File(bytes) => invitation_csv::parse(&bytes),
        Upload::TooLarge => Err(CsvError::TooLarge),
        Upload::Missing => Err(CsvError::Empty),
    };
    let rows = match parsed {
        Ok(rows) => rows,
        Err(err) => {
            let status = match err {
                CsvError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let mut errors = FieldErrors::default();
            errors.add("file", err.to_string());
            let form = (String::new(), Role::Member, errors);
            let page = page_of(page, &state, &admin, None, form, None).await?;
            return render_with_status(status, &page);
        }
    };
    let actor = Actor::user(&admin.user, &ip.0);
    let inviter = Inviter {
        actor: &actor,
        name: admin.user.name.as_str(),
        role: Some(admin.role),
    };
    let rows = invitations::invite_many(&state, &inviter, &admin.org, &rows).await?;
    let invited = rows
        .iter()
        .filter(|(_, outcome)| *outcome == RowOutcome::Invited)
        .count();
    render(&ResultPage {
        page: page.working_in(&admin.org.name),
        admin: AdminNav::new(&admin, Section::Invitations),
        rows,
        invited,
    })
}
