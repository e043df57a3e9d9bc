//! One user of a bulk-import file, read from an Auth0 bulk-import object (JSON or NDJSON) or a
//! CSV row (`email,name,email_verified,password_hash`), and why a row cannot be imported.
use std::fmt;

use serde_json::Value;

use super::{DisplayName, Email};
use crate::credentials::PasswordHash;

/// The file formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// A JSON array of Auth0 user objects.
    Json,
    /// One Auth0 user object a line.
    Ndjson,
    /// `email,name,email_verified,password_hash`, with a header.
    Csv,
}

impl ImportFormat {
    pub const ALL: [Self; 3] = [Self::Json, Self::Ndjson, Self::Csv];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Ndjson => "ndjson",
            Self::Csv => "csv",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|format| format.as_str() == value)
    }

    /// The format a file's name says (`users.json`, `users.ndjson`, `users.csv`).
    pub fn of_file_name(name: &str) -> Option<Self> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "jsonl" => Some(Self::Ndjson),
            other => Self::parse(other),
        }
    }
}

impl fmt::Display for ImportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user as a file describes them, checked.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub email: Email,
    pub name: DisplayName,
    pub email_verified: bool,
    /// A hash Usher can check (its own, a legacy format, or an Auth0 `custom_password_hash`
    /// object as JSON text); `None` for a user who will set a password by resetting it.
    pub password_hash: Option<String>,
    pub blocked: bool,
    /// Their id in the system they come from (Auth0's `user_id`).
    pub legacy_id: Option<String>,
}

/// Why a row was not imported, in plain words for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowError {
    NotAnObject,
    InvalidEmail,
    UnknownHashFormat,
    BothHashes,
    DuplicateInFile,
    AlreadyExists,
}

impl RowError {
    pub fn message(self) -> &'static str {
        match self {
            Self::NotAnObject => "not a user object",
            Self::InvalidEmail => "invalid email",
            Self::UnknownHashFormat => "unknown hash format",
            Self::BothHashes => "both password_hash and custom_password_hash",
            Self::DuplicateInFile => "duplicate in the file",
            Self::AlreadyExists => "already exists",
        }
    }
}

impl ImportRecord {
    /// A user of Auth0's bulk-import schema.
    pub fn from_auth0(value: &Value) -> Result<Self, RowError> {
        let object = value.as_object().ok_or(RowError::NotAnObject)?;
        let text = |key: &str| {
            object
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|text| !text.is_empty())
        };
        let email = text("email")
            .and_then(|email| Email::parse(email).ok())
            .ok_or(RowError::InvalidEmail)?;
        let password_hash = match (
            object.get("password_hash"),
            object.get("custom_password_hash"),
        ) {
            (Some(_), Some(_)) => return Err(RowError::BothHashes),
            (Some(Value::String(hash)), None) => Some(hash.clone()),
            (None, Some(custom @ Value::Object(_))) => Some(custom.to_string()),
            (None, None) => None,
            _ => return Err(RowError::UnknownHashFormat),
        };
        let given = [text("given_name"), text("family_name")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let name = [text("name"), Some(given.as_str()), text("nickname")]
            .into_iter()
            .flatten()
            .find(|name| !name.is_empty());
        Self::checked(Self {
            name: DisplayName::or_from_email(name, &email),
            email,
            email_verified: object.get("email_verified").and_then(Value::as_bool) == Some(true),
            password_hash,
            blocked: object.get("blocked").and_then(Value::as_bool) == Some(true),
            legacy_id: text("user_id").map(str::to_owned),
        })
    }

    /// A CSV row's fields in the columns' order: email, name, email_verified, password_hash.
    pub fn from_csv(fields: [&str; 4]) -> Result<Self, RowError> {
        let [email, name, verified, hash] = fields.map(str::trim);
        let email = Email::parse(email).map_err(|_| RowError::InvalidEmail)?;
        Self::checked(Self {
            name: DisplayName::or_from_email(Some(name).filter(|n| !n.is_empty()), &email),
            email,
            email_verified: matches!(verified.to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
            password_hash: Some(hash.to_owned()).filter(|hash| !hash.is_empty()),
            blocked: false,
            legacy_id: None,
        })
    }

    /// A user as a legacy store's all-users query returned them.
    pub fn from_legacy(
        id: &str,
        email: &str,
        name: Option<&str>,
        email_verified: bool,
        password_hash: Option<&str>,
    ) -> Result<Self, RowError> {
        let email = Email::parse(email.trim()).map_err(|_| RowError::InvalidEmail)?;
        Self::checked(Self {
            name: DisplayName::or_from_email(name, &email),
            email,
            email_verified,
            password_hash: password_hash.map(str::to_owned),
            blocked: false,
            legacy_id: Some(id.to_owned()),
        })
    }

    /// A hash must be one Usher can check: an unreadable one would lock its owner out unseen.
    fn checked(self) -> Result<Self, RowError> {
        match &self.password_hash {
            Some(hash) if PasswordHash::parse(hash).is_err() => Err(RowError::UnknownHashFormat),
            _ => Ok(self),
        }
    }
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 4] = ["email", "name", "email_verified", "password_hash"];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn auth0_objects_become_records_or_say_why_not() {
        let record = ImportRecord::from_auth0(&json!({
            "email": "Ada@Example.com", "email_verified": true, "user_id": "auth0|1",
            "given_name": "Ada", "family_name": "Lovelace", "blocked": false,
            "password_hash": "$2b$04$a4LXzhauaCjwwSemNYAYvOuWSBIhYLueIiNXwqOoZgDLuCc0D9rvK",
            "app_metadata": {"plan": "pro"},
        }))
        .unwrap();
        assert_eq!(record.email.as_str(), "ada@example.com");
        assert_eq!(record.name.as_str(), "Ada Lovelace");
        assert!(record.email_verified);
        assert_eq!(record.legacy_id.as_deref(), Some("auth0|1"));

        let custom = json!({"algorithm": "sha256", "hash": {"value": "00", "encoding": "hex"}});
        let record = ImportRecord::from_auth0(
            &json!({"email": "b@example.com", "custom_password_hash": custom}),
        )
        .unwrap();
        assert!(record.password_hash.unwrap().starts_with('{'));
        assert_eq!(record.name.as_str(), "b");

        for (row, error) in [
            (json!("ada@example.com"), RowError::NotAnObject),
            (json!({"email": "not an email"}), RowError::InvalidEmail),
            (
                json!({"email": "a@example.com", "password_hash": "md5:abc"}),
                RowError::UnknownHashFormat,
            ),
            (
                json!({"email": "a@example.com", "password_hash": "x", "custom_password_hash": {}}),
                RowError::BothHashes,
            ),
        ] {
            assert_eq!(ImportRecord::from_auth0(&row).unwrap_err(), error, "{row}");
        }
    }

    #[test]
    fn csv_rows_become_records() {
        let record = ImportRecord::from_csv(["bea@example.com", "Bea", "TRUE", ""]).unwrap();
        assert!(record.email_verified);
        assert_eq!(record.password_hash, None);
        assert_eq!(
            ImportRecord::from_csv(["bea", "Bea", "true", ""]).unwrap_err(),
            RowError::InvalidEmail
        );
    }

    #[test]
    fn file_names_say_their_format() {
        assert_eq!(
            ImportFormat::of_file_name("users.JSON"),
            Some(ImportFormat::Json)
        );
        assert_eq!(
            ImportFormat::of_file_name("a.b.ndjson"),
            Some(ImportFormat::Ndjson)
        );
        assert_eq!(
            ImportFormat::of_file_name("users.jsonl"),
            Some(ImportFormat::Ndjson)
        );
        assert_eq!(
            ImportFormat::of_file_name("users.csv"),
            Some(ImportFormat::Csv)
        );
        assert_eq!(ImportFormat::of_file_name("users.xml"), None);
    }
}
