//! Branding: the logo and colours an organization's owners and admins set in its portal, shown
//! on its sign-in, sign-up and invitation pages and in its emails.
use serde_json::json;

use crate::domain::audit::{Actor, AuditAction, AuditTarget, NewAuditEvent};
use crate::domain::branding::{BrandingChange, DEFAULT_PRIMARY, LogoChange, LogoImage};
use crate::domain::{Organization, Slug};
use crate::email::messages::MailBrand;
use crate::services::members::Manager;
use crate::services::{Error, Result};
use crate::state::AppState;
use crate::store::{audit, logos, organizations};

/// Saves the organization's colours and logo, and audits the change in the same transaction.
/// A new logo or a removed one also clears the operator's logo address (see
/// `Organization::logo`). Saving what is already there writes nothing.
pub async fn save(state: &AppState, manager: &Manager<'_>, change: &BrandingChange) -> Result<()> {
    let org = manager.org;
    if change.primary_color == org.primary_color
        && change.background_color == org.background_color
        && change.logo == LogoChange::Keep
    {
        return Ok(());
    }
    let mut tx = state.store.begin().await?;
    organizations::update_colors(
        &mut *tx,
        &org.id,
        change.primary_color.as_deref(),
        change.background_color.as_deref(),
    )
    .await?;
    let logo = match &change.logo {
        LogoChange::Keep => json!("unchanged"),
        LogoChange::Replace(image) => {
            logos::upsert(&mut *tx, &org.id, image).await?;
            organizations::set_logo_version(&mut *tx, &org.id, Some(image.etag())).await?;
            json!({
                "content_type": image.kind().content_type(),
                "bytes": image.bytes().len(),
                "etag": image.etag(),
            })
        }
        LogoChange::Remove => {
            logos::delete(&mut *tx, &org.id).await?;
            organizations::set_logo_version(&mut *tx, &org.id, None).await?;
            json!("removed")
        }
    };
    let shown = |colour: &Option<String>| colour.clone().unwrap_or_else(|| "default".into());
    let event = NewAuditEvent {
        actor: &Actor::user(manager.user, manager.client_ip),
        action: AuditAction::BrandingChanged,
        organization: Some(&org.id),
        target: Some(AuditTarget::organization(&org.id)),
        details: json!({
            "primary_color": change.primary_color,
            "background_color": change.background_color,
            "logo": logo,
        }),
        summary: format!(
            "primary {}, background {}, logo {}",
            shown(&change.primary_color),
            shown(&change.background_color),
            match change.logo {
                LogoChange::Keep => "unchanged",
                LogoChange::Replace(_) => "uploaded",
                LogoChange::Remove => "removed",
            }
        ),
    };
    audit::insert(&mut *tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// What a request for a logo gets.
pub enum LogoFetch {
    /// The caller holds this version already.
    Unchanged {
        etag: String,
    },
    Image(LogoImage),
}

/// The uploaded logo of the organization `slug` names, whoever asks (branding is public);
/// `Unchanged` when `cached` says the caller has its version, so that a revalidation does not
/// read the bytes. `NotFound` when it has none.
pub async fn logo(
    state: &AppState,
    slug: &Slug,
    cached: impl Fn(&str) -> bool,
) -> Result<LogoFetch> {
    let db = state.store.pool();
    let org = organizations::find_by_slug(db, slug.as_str())
        .await?
        .ok_or(Error::NotFound)?;
    let etag = org.logo_etag.ok_or(Error::NotFound)?;
    if cached(&etag) {
        return Ok(LogoFetch::Unchanged { etag });
    }
    let image = logos::find_by_slug(db, slug.as_str())
        .await?
        .ok_or(Error::NotFound)?;
    Ok(LogoFetch::Image(image))
}

/// The branding of the organization's emails: its name, its logo by absolute address, and its
/// primary colour (Usher's own when it chose none).
pub fn mail_brand(state: &AppState, org: &Organization) -> MailBrand {
    MailBrand {
        name: org.name.clone(),
        logo_url: state.links.logo(org),
        color: org
            .primary_color
            .clone()
            .unwrap_or_else(|| DEFAULT_PRIMARY.to_owned()),
    }
}
