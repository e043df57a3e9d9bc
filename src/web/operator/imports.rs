//! `/admin/imports`: the operator uploads a file of users (Auth0's bulk-import JSON, NDJSON or
//! CSV) into a connection, optionally into an organization; the import runs on the job
//! runner, and its page shows its progress (refreshing itself, without JavaScript), its counts,
//! an estimate of the time left, and the failed rows as a CSV download.
use std::path::PathBuf;

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use crate::auth::Operator;
use crate::domain::import::ImportFormat;
use crate::domain::{Connection, Role};
use crate::error::AppError;
use crate::services::import::{self, ImportRequest, Refused};
use crate::state::AppState;
use crate::store::imports::ImportJob;
use crate::store::now;
use crate::web::page::Page;
use crate::web::respond::{render, render_with_status, see_other};
use crate::web::urls::Urls;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(Urls::OperatorImports.pattern())
            .get(list)
            .post(upload),
    )
    .route(Urls::OperatorImport.pattern(), web::get().to(show))
    .route(
        Urls::OperatorImportFailures.pattern(),
        web::get().to(failures),
    );
}

#[derive(Template)]
#[template(path = "operator/imports.html")]
struct ListPage {
    page: Page,
    imports: Vec<ImportJob>,
    connections: Vec<Connection>,
    error: String,
}

#[derive(Template)]
#[template(path = "operator/import_show.html")]
struct ImportPage {
    page: Page,
    job: ImportJob,
    percent: i64,
    eta: String,
    /// Whether the page reloads itself while the import runs (the operator can stop it).
    refreshing: bool,
}

/// Seconds between the reloads of a running import's page.
const REFRESH_SECS: u32 = 3;

#[derive(Deserialize)]
pub struct ShowQuery {
    /// `off` stops the page from reloading itself.
    #[serde(default)]
    refresh: String,
}

async fn list_page(page: Page, state: &AppState, error: String) -> Result<ListPage, AppError> {
    Ok(ListPage {
        page,
        imports: import::recent(&state.store).await?,
        connections: import::targets(&state.store).await?,
        error,
    })
}

pub async fn list(
    page: Page,
    state: web::Data<AppState>,
    Operator(_): Operator,
) -> Result<HttpResponse, AppError> {
    render(&list_page(page, &state, String::new()).await?)
}

/// The form's fields, and the uploaded file written to the imports folder as it arrives (so
/// that a file of any size takes no more memory than a chunk).
#[derive(Default)]
struct Upload {
    connection: String,
    org: String,
    role: String,
    update_existing: bool,
    file: Option<(PathBuf, String)>,
}

async fn receive(state: &AppState, mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    let unreadable = |err: actix_multipart::MultipartError| {
        AppError::BadRequest(format!("unreadable multipart form: {err}"))
    };
    tokio::fs::create_dir_all(&state.imports_dir)
        .await
        .map_err(AppError::unexpected)?;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .unwrap_or_default()
                .to_owned();
            let path = state
                .imports_dir
                .join(format!("upload-{}", uuid::Uuid::now_v7()));
            let mut out = tokio::fs::File::create(&path)
                .await
                .map_err(AppError::unexpected)?;
            let mut size = 0;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(unreadable)?;
                size += chunk.len();
                out.write_all(&chunk).await.map_err(AppError::unexpected)?;
            }
            out.flush().await.map_err(AppError::unexpected)?;
            if size > 0 {
                upload.file = Some((path, file_name));
            } else {
                let _ = tokio::fs::remove_file(&path).await;
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if value.len() + chunk.len() > 1024 {
                return Err(AppError::PayloadTooLarge);
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8_lossy(&value).trim().to_owned();
        match name.as_str() {
            "connection" => upload.connection = value,
            "org" => upload.org = value,
            "role" => upload.role = value,
            "update_existing" => upload.update_existing = true,
            _ => {}
        }
    }
    Ok(upload)
}

pub async fn upload(
    page: Page,
    state: web::Data<AppState>,
    Operator(operator): Operator,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    let upload = receive(&state, multipart).await?;
    let refuse = |message: String| {
        let state = state.clone();
        async move {
            let page = list_page(page, &state, message).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    };
    let Some((path, file_name)) = upload.file else {
        return refuse("Choose a file to import.".into()).await;
    };
    // The upload is named for its format, which its original name says.
    let Some(format) = ImportFormat::of_file_name(&file_name) else {
        let _ = tokio::fs::remove_file(&path).await;
        return refuse("The file's name must end in .json, .ndjson or .csv.".into()).await;
    };
    let request = ImportRequest {
        connection: &upload.connection,
        organization: Some(upload.org.as_str()).filter(|slug| !slug.is_empty()),
        role: Role::parse(&upload.role).unwrap_or(Role::Member),
        path: &path,
        format: Some(format),
        update_existing: upload.update_existing,
        by: Some(&operator),
    };
    match import::create(&state.store, request).await {
        Ok(id) => {
            import::queue(&state.store, &id).await?;
            Ok(see_other(&Urls::OperatorImport.with(&id)))
        }
        Err(Refused::Failed(err)) => {
            let _ = tokio::fs::remove_file(&path).await;
            Err(err.into())
        }
        Err(refused) => {
            let _ = tokio::fs::remove_file(&path).await;
            refuse(format!("{refused}.")).await
        }
    }
}

/// A running import's page reloads itself (an HTTP `Refresh`, which needs no JavaScript) until
/// the import ends, unless the operator turned that off.
pub async fn show(
    page: Page,
    state: web::Data<AppState>,
    Operator(_): Operator,
    path: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    let job = import::find(&state.store, &path.into_inner()).await?;
    let refreshing = job.finished_at.is_none() && query.refresh != "off";
    let percent = if job.finished_at.is_some() {
        100
    } else if job.file_size > 0 {
        (job.position * 100 / job.file_size).clamp(0, 99)
    } else {
        0
    };
    let mut res = render(&ImportPage {
        page,
        eta: time_left(&job),
        percent,
        job,
        refreshing,
    })?;
    if refreshing {
        res.headers_mut()
            .insert(header::REFRESH, header::HeaderValue::from(REFRESH_SECS));
    }
    Ok(res)
}

/// The time left at the pace so far, in plain words; "" before there is a pace.
fn time_left(job: &ImportJob) -> String {
    let (Some(started), None) = (job.started_at, job.finished_at) else {
        return String::new();
    };
    let elapsed = (now() - started).max(1);
    if job.position <= 0 {
        return String::new();
    }
    let left = (job.file_size - job.position).max(0) * elapsed / job.position;
    match left {
        0..60 => "less than a minute".into(),
        60..3600 => format!("about {} minutes", left / 60 + 1),
        _ => format!("about {} hours", left / 3600 + 1),
    }
}

/// The failed rows as CSV: `line,email,reason`.
pub async fn failures(
    state: web::Data<AppState>,
    Operator(_): Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let job = import::find(&state.store, &path.into_inner()).await?;
    let body = import::write_failures(&state.store, &job.id, Vec::new()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"import-{}-failed-rows.csv\"", job.id),
        ))
        .body(body))
}
