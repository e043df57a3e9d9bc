//! Branding rules: which files may be an organization's logo, and whether its colours keep
//! its pages readable (WCAG 2 contrast). No I/O: the portal and its tests share these.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::token::hex_sha256;

/// The largest logo accepted: plenty for a crisp logo at the sizes pages and emails show, and
/// small enough to keep in the database and send with every first visit.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;

/// Usher's own colours where an organization sets none, as `static/css/usher.css` has them
/// (`--ink`, `--bg`, `--accent`): the contrast check measures what the pages will really show.
pub const BODY_TEXT: &str = "#1b1f24";
pub const DEFAULT_BACKGROUND: &str = "#f4f5f7";
pub const DEFAULT_PRIMARY: &str = "#1a56db";
/// Buttons (and the invitation email's button) write white on the primary colour.
pub const BUTTON_TEXT: &str = "#ffffff";
/// WCAG 2 level AA for text of body size.
pub const MIN_CONTRAST: f64 = 4.5;

/// The image formats a logo may have. SVG is not one: it can carry script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    WebP,
}

impl ImageKind {
    /// The format the bytes themselves announce with their magic numbers. Never the file name
    /// or the content type the browser sent: both are the uploader's to choose.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Self::WebP)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::WebP => "image/webp",
        }
    }

    /// The kind stored as `value`; `None` for a value this version does not know.
    pub fn from_content_type(value: &str) -> Option<Self> {
        [Self::Png, Self::Jpeg, Self::WebP]
            .into_iter()
            .find(|kind| kind.content_type() == value)
    }
}

/// Why a file cannot be the logo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoRefusal {
    TooLarge,
    /// Said apart from other formats, because people expect SVG logos to work.
    Svg,
    NotAnAllowedImage,
}

impl LogoRefusal {
    /// The sentence shown beside the logo field.
    pub fn message(self) -> &'static str {
        match self {
            Self::TooLarge => "The logo is larger than 256 KB. Upload a smaller image.",
            Self::Svg => {
                "SVG images are not accepted, because they can carry script. Upload a PNG, JPEG or WebP image."
            }
            Self::NotAnAllowedImage => {
                "This file is not a PNG, JPEG or WebP image. Upload an image in one of those formats."
            }
        }
    }
}

/// An image accepted as an organization's logo, with the version its URL carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoImage {
    bytes: Vec<u8>,
    kind: ImageKind,
    etag: String,
}

impl LogoImage {
    /// Accepts at most `MAX_LOGO_BYTES` of PNG, JPEG or WebP, as the bytes say.
    pub fn parse(bytes: Vec<u8>) -> Result<Self, LogoRefusal> {
        if bytes.len() > MAX_LOGO_BYTES {
            return Err(LogoRefusal::TooLarge);
        }
        let Some(kind) = ImageKind::sniff(&bytes) else {
            return Err(if looks_like_svg(&bytes) {
                LogoRefusal::Svg
            } else {
                LogoRefusal::NotAnAllowedImage
            });
        };
        // 128 bits of SHA-256: a new file always gets a new version.
        let etag = hex_sha256(&bytes)[..32].to_owned();
        Ok(Self { bytes, kind, etag })
    }

    /// An image carried in base64 from a preview back to the form: it came from the browser
    /// again, so it is checked again like an upload.
    pub fn from_base64(encoded: &str) -> Result<Self, LogoRefusal> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| LogoRefusal::NotAnAllowedImage)?;
        Self::parse(bytes)
    }

    /// A logo read back from the database, which only ever holds parsed ones.
    pub fn from_stored(bytes: Vec<u8>, kind: ImageKind, etag: String) -> Self {
        Self { bytes, kind, etag }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.bytes)
    }

    /// The image as a `data:` URL, so that a preview shows it before anything is saved.
    pub fn data_url(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.kind.content_type(),
            self.to_base64()
        )
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn kind(&self) -> ImageKind {
        self.kind
    }

    /// A hash of the bytes: the logo's ETag and the `v` of the URL pages reference it by.
    pub fn etag(&self) -> &str {
        &self.etag
    }
}

/// Only for the message: SVG is refused like any other format that is not sniffed as allowed.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    head.contains("<svg")
}

/// Where an organization's logo comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoSource<'a> {
    /// Uploaded by its admins and served by Usher at `/o/{slug}/logo`; `version` is its ETag.
    Uploaded { version: &'a str },
    /// An https address the platform operator set (`logo_url`).
    Linked(&'a str),
}

/// What saving the branding form does to the logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoChange {
    Keep,
    Replace(LogoImage),
    Remove,
}

/// The branding an admin saves. A colour of `None` is Usher's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandingChange {
    pub primary_color: Option<String>,
    pub background_color: Option<String>,
    pub logo: LogoChange,
}

/// A colour as red, green and blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Rgb {
    /// A colour written `#rrggbb`, as `parse_color` keeps it.
    pub fn from_hex(input: &str) -> Option<Self> {
        let hex = input.strip_prefix('#')?;
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Self {
            r: channel(0)?,
            g: channel(2)?,
            b: channel(4)?,
        })
    }

    /// WCAG 2 relative luminance: 0 for black, 1 for white, weighted as eyes see the channels.
    pub fn relative_luminance(self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.r) + 0.7152 * linear(self.g) + 0.0722 * linear(self.b)
    }
}

/// The WCAG 2 contrast ratio of two colours, from 1 (none) to 21 (black on white).
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.relative_luminance(), b.relative_luminance());
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// A colour whose text would be hard to read; saving it is still allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct ContrastWarning {
    /// The form field of the colour concerned.
    pub field: &'static str,
    pub ratio: f64,
    pub message: String,
}

/// The contrast of body text on the background colour and of white button text on the primary
/// colour, each measured against WCAG AA (4.5:1). An unset colour is Usher's own, which passes.
pub fn contrast_warnings(primary: Option<&str>, background: Option<&str>) -> Vec<ContrastWarning> {
    let surface = |set: Option<&str>, default: &str| {
        set.and_then(Rgb::from_hex)
            .or_else(|| Rgb::from_hex(default))
    };
    let pairs = [
        (
            "background_color",
            surface(background, DEFAULT_BACKGROUND),
            Rgb::from_hex(BODY_TEXT),
            "Text on this background",
        ),
        (
            "primary_color",
            surface(primary, DEFAULT_PRIMARY),
            Rgb::from_hex(BUTTON_TEXT),
            "White button text on this primary colour",
        ),
    ];
    pairs
        .into_iter()
        .filter_map(|(field, surface, text, what)| {
            let ratio = contrast_ratio(surface?, text?);
            (ratio < MIN_CONTRAST).then(|| ContrastWarning {
                field,
                ratio,
                message: format!(
                    "{what} has a contrast of {:.1}:1, below the 4.5:1 of WCAG AA: some people will not be able to read it.",
                    // Rounded down, so that a ratio just below 4.5 never reads as 4.5.
                    (ratio * 10.0).floor() / 10.0
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
    const WEBP: &[u8] = b"RIFF\x1a\0\0\0WEBPVP8L";

    #[test]
    fn images_are_told_by_their_bytes() {
        assert_eq!(ImageKind::sniff(PNG), Some(ImageKind::Png));
        assert_eq!(ImageKind::sniff(JPEG), Some(ImageKind::Jpeg));
        assert_eq!(ImageKind::sniff(WEBP), Some(ImageKind::WebP));
        assert_eq!(ImageKind::sniff(b"GIF89a\x01\0\x01\0"), None);
        assert_eq!(ImageKind::sniff(b"RIFF\x1a\0\0\0WAVEfmt "), None);
        assert_eq!(ImageKind::sniff(b"\x89PNG"), None, "a truncated signature");
        assert_eq!(ImageKind::sniff(b""), None);
    }

    #[test]
    fn svg_and_other_files_are_refused_and_size_is_capped() {
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(LogoImage::parse(svg.to_vec()), Err(LogoRefusal::Svg));
        assert_eq!(
            LogoImage::parse(b"just text, named logo.png".to_vec()),
            Err(LogoRefusal::NotAnAllowedImage)
        );
        let mut big = PNG.to_vec();
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert_eq!(LogoImage::parse(big), Err(LogoRefusal::TooLarge));
        let mut largest = PNG.to_vec();
        largest.resize(MAX_LOGO_BYTES, 0);
        assert!(LogoImage::parse(largest).is_ok());
    }

    #[test]
    fn a_logo_is_versioned_by_its_bytes_and_survives_base64() {
        let logo = LogoImage::parse(PNG.to_vec()).unwrap();
        assert_eq!(logo.etag().len(), 32);
        assert_ne!(logo.etag(), LogoImage::parse(JPEG.to_vec()).unwrap().etag());
        assert!(logo.data_url().starts_with("data:image/png;base64,"));
        assert_eq!(LogoImage::from_base64(&logo.to_base64()), Ok(logo));
        assert!(LogoImage::from_base64("not base64!").is_err());
    }

    #[test]
    fn contrast_follows_wcag() {
        let black = Rgb::from_hex("#000000").unwrap();
        let white = Rgb::from_hex("#ffffff").unwrap();
        assert!((contrast_ratio(black, white) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(white, white) - 1.0).abs() < 1e-9);
        // #767676 on white is the well-known lightest grey that passes AA (4.54:1).
        let grey = Rgb::from_hex("#767676").unwrap();
        assert!((contrast_ratio(grey, white) - 4.54).abs() < 0.01);
        assert_eq!(Rgb::from_hex("#12345"), None);
        assert_eq!(Rgb::from_hex("123456"), None);
    }

    #[test]
    fn usher_defaults_pass_and_weak_colours_are_warned_about() {
        assert!(contrast_warnings(None, None).is_empty());
        assert!(contrast_warnings(Some("#1a56db"), Some("#ffffff")).is_empty());
        let warnings = contrast_warnings(Some("#ffff00"), Some("#222222"));
        let fields: Vec<_> = warnings.iter().map(|w| w.field).collect();
        assert_eq!(fields, ["background_color", "primary_color"]);
        assert!(warnings[1].message.contains("of 1.0:1"), "{warnings:?}");
        // Just below AA still warns, and does not read as 4.5.
        let just_below = contrast_warnings(Some("#777777"), None);
        assert_eq!(just_below.len(), 1);
        assert!(just_below[0].message.contains("4.4:1"), "{just_below:?}");
    }
}
