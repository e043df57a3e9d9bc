//! A person's display name.
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

const MAX_CHARS: usize = 100;

impl DisplayName {
    /// Trims and checks a name typed by a person; the error is shown beside the field.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let name = input.trim();
        if name.is_empty() {
            return Err("Enter your name.");
        }
        if name.chars().count() > MAX_CHARS {
            return Err("Use at most 100 characters for your name.");
        }
        if name.chars().any(char::is_control) {
            return Err("Your name cannot contain control characters.");
        }
        Ok(Self(name.to_owned()))
    }

    /// `name` when it is a valid name, else the part of `email` before the `@` (a name that
    /// another system or an identity provider sent may be missing or unusable).
    pub fn or_from_email(name: Option<&str>, email: &super::Email) -> Self {
        name.and_then(|name| Self::parse(name).ok())
            .or_else(|| Self::parse(email.local_part()).ok())
            .unwrap_or_else(|| Self(email.local_part().to_owned()))
    }

    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as member searches compare it: lower-cased, so "ada" finds "Ada Lovelace".
    pub fn search_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_limits() {
        assert_eq!(
            DisplayName::parse("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"é".repeat(101)).is_err());
        assert!(DisplayName::parse(&"é".repeat(100)).is_ok());
        assert!(DisplayName::parse("Ada\u{0}").is_err());
    }
}
