//! `/o/{slug}/brand.css`: an organization's colour as a stylesheet (inline styles would need a
//! weaker CSP).
use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::domain::Slug;
use crate::error::AppError;
use crate::services::directory;
use crate::state::AppState;

pub async fn css(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = Slug::from_path(&slug).ok_or(AppError::NotFound)?;
    let org = directory::organization_by_slug(&state, &slug).await?;
    let color = org.primary_color.ok_or(AppError::NotFound)?;
    // Stored colours are validated as #rrggbb, so they are safe to write into CSS.
    let css = format!(":root {{ --accent: {color}; --accent-dark: {color}; }}\n");
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(css))
}
