//! Reading the branding form's multipart body, every field capped while it streams: nothing
//! is buffered beyond its limit, and an oversized logo is dropped as it arrives.
use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::domain::branding::MAX_LOGO_BYTES;
use crate::error::AppError;

/// A colour, the CSRF token, a button's value.
const MAX_TEXT_BYTES: usize = 1024;
/// The logo carried from a preview back to the form, in base64.
const MAX_CARRIED_BYTES: usize = MAX_LOGO_BYTES.div_ceil(3) * 4;
/// The whole body. Up to this, an oversized logo is read to its end (and dropped), so that its
/// sender gets the form back with the reason rather than a broken connection; past it the
/// request is refused at once.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// The form has seven fields; empty parts cost no body bytes, so their number is capped too.
const MAX_FIELDS: usize = 16;

/// Which button was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Action {
    /// Also what a submission without a button gets: it writes nothing.
    #[default]
    Preview,
    Save,
}

/// The logo file field.
#[derive(Debug, Default)]
pub enum Upload {
    /// No file chosen (browsers send an empty part).
    #[default]
    None,
    File(Vec<u8>),
    TooLarge,
}

/// The fields as sent, before they are parsed.
#[derive(Debug, Default)]
pub struct Submitted {
    pub action: Action,
    pub primary_color: String,
    pub background_color: String,
    pub remove_logo: bool,
    pub upload: Upload,
    /// Base64 of a logo chosen before a preview; empty when none.
    pub carried_logo: String,
}

/// Reads the form. The CSRF middleware has checked its first field already.
pub async fn read(mut multipart: Multipart) -> Result<Submitted, AppError> {
    let mut form = Submitted::default();
    let mut total = 0;
    let mut fields = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(malformed)?;
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(AppError::PayloadTooLarge);
        }
        let name = field.name().unwrap_or_default().to_owned();
        let limit = match name.as_str() {
            "logo" => MAX_LOGO_BYTES,
            "carried_logo" => MAX_CARRIED_BYTES,
            _ => MAX_TEXT_BYTES,
        };
        let mut value = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            total += chunk.len();
            if total > MAX_BODY_BYTES {
                return Err(AppError::PayloadTooLarge);
            }
            if too_large || value.len() + chunk.len() > limit {
                too_large = true;
                value = Vec::new();
            } else {
                value.extend_from_slice(&chunk);
            }
        }
        if name == "logo" {
            form.upload = match (too_large, value.is_empty()) {
                (true, _) => Upload::TooLarge,
                (false, true) => Upload::None,
                (false, false) => Upload::File(value),
            };
            continue;
        }
        // Only the logo may be large; any other field this long was not typed into the form.
        if too_large {
            return Err(AppError::PayloadTooLarge);
        }
        let text = String::from_utf8_lossy(&value).into_owned();
        match name.as_str() {
            "primary_color" => form.primary_color = text,
            "background_color" => form.background_color = text,
            "remove_logo" => form.remove_logo = true,
            "carried_logo" => form.carried_logo = text,
            "action" if text == "save" => form.action = Action::Save,
            _ => {}
        }
    }
    Ok(form)
}

fn malformed(err: actix_multipart::MultipartError) -> AppError {
    AppError::BadRequest(format!("unreadable multipart form: {err}"))
}
