//! Stylesheets and images, compiled into the binary so it runs from any directory.
use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::error::AppError;

const FILES: &[(&str, &str, &str)] = &[(
    "css/usher.css",
    "text/css; charset=utf-8",
    include_str!("../../static/css/usher.css"),
)];

pub async fn serve(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, body) = FILES
        .iter()
        .find(|(name, _, _)| *name == path.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(*body))
}
