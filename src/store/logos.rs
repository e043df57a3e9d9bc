//! Uploaded logos: each organization's logo bytes, apart from its row (see the migration), and
//! versioned by `organizations.logo_etag`.
use sqlx::{Any, Executor, FromRow};

use super::{now, unknown_value};
use crate::domain::OrganizationId;
use crate::domain::branding::{ImageKind, LogoImage};

/// Stores the organization's logo, replacing the one it had.
pub async fn upsert<'c, E>(db: E, org: &OrganizationId, logo: &LogoImage) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO organization_logos (organization_id, content_type, bytes, updated_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id) DO UPDATE
         SET content_type = excluded.content_type, bytes = excluded.bytes,
             updated_at = excluded.updated_at",
    )
    .bind(org.as_str().to_owned())
    .bind(logo.kind().content_type())
    .bind(logo.bytes().to_vec())
    .bind(now())
    .execute(db)
    .await
    .map(drop)
}

pub async fn delete<'c, E>(db: E, org: &OrganizationId) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM organization_logos WHERE organization_id = $1")
        .bind(org.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

#[derive(FromRow)]
struct LogoRow {
    content_type: String,
    bytes: Vec<u8>,
    logo_etag: String,
}

/// The logo of the organization `slug` names, read with its version in one statement, so that
/// the bytes and the ETag they are served with always belong together.
pub async fn find_by_slug<'c, E>(db: E, slug: &str) -> Result<Option<LogoImage>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row = sqlx::query_as::<_, LogoRow>(
        "SELECT l.content_type, l.bytes, o.logo_etag
         FROM organization_logos l JOIN organizations o ON o.id = l.organization_id
         WHERE o.slug = $1 AND o.logo_etag IS NOT NULL",
    )
    .bind(slug.to_owned())
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        let kind = ImageKind::from_content_type(&row.content_type)
            .ok_or_else(|| unknown_value("logo content type", &row.content_type))?;
        Ok(LogoImage::from_stored(row.bytes, kind, row.logo_etag))
    })
    .transpose()
}
