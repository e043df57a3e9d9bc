//! The password hashes users bring from other systems, read by their own marks and checked
//! as the software that wrote them does; each is replaced with argon2id at its first
//! successful sign-in (they all `need_rehash`).
mod auth0;
mod crypt;
mod digests;
mod kdf;
mod ldap;

use auth0::CustomHash;
use kdf::{Pbkdf2, Scrypt};
use ldap::Ldap;

/// A legacy hash, parsed.
#[derive(Debug, Clone)]
pub enum LegacyHash {
    /// `$2a$`, `$2b$`, `$2y$` (kept as written: the bcrypt crate reads it).
    Bcrypt(String),
    /// `$5$`, `$6$`.
    ShaCrypt(String),
    /// `$1$`.
    Md5Crypt(String),
    /// `$P$`, `$H$`.
    Phpass(String),
    /// `$argon2i$`, `$argon2d$`.
    Argon2(String),
    /// Django's `bcrypt_sha256$`.
    DjangoBcryptSha256(String),
    Pbkdf2(Pbkdf2),
    Scrypt(Scrypt),
    Ldap(Ldap),
    /// An Auth0 `custom_password_hash` object, kept as its JSON text.
    Auth0(Box<CustomHash>),
}

/// Why a string that looks like a legacy hash is not one Usher can check.
pub type Malformed = (&'static str, &'static str);

impl LegacyHash {
    /// The hash `stored` is, by its mark; `None` when it carries no mark Usher knows, an error
    /// (kind, reason) when it carries one but does not parse.
    pub fn parse(stored: &str) -> Option<Result<Self, Malformed>> {
        let malformed = |kind: &'static str| Err((kind, "its fields do not parse"));
        let known = |kind: &'static str, parsed: Option<Self>| parsed.map_or(malformed(kind), Ok);
        let owned = || stored.to_owned();
        Some(match stored {
            s if ["$2a$", "$2b$", "$2y$"].iter().any(|p| s.starts_with(p)) => {
                known("bcrypt", (s.len() == 60).then(|| Self::Bcrypt(owned())))
            }
            s if s.starts_with("$5$") || s.starts_with("$6$") => Ok(Self::ShaCrypt(owned())),
            s if s.starts_with("$1$") => Ok(Self::Md5Crypt(owned())),
            s if s.starts_with("$P$") || s.starts_with("$H$") => {
                known("phpass", (s.len() == 34).then(|| Self::Phpass(owned())))
            }
            s if s.starts_with("$argon2i$") || s.starts_with("$argon2d$") => known(
                "argon2",
                kdf::argon2_within_limits(s).then(|| Self::Argon2(owned())),
            ),
            s if s.starts_with("bcrypt_sha256$") => Ok(Self::DjangoBcryptSha256(owned())),
            s if s.starts_with("$pbkdf2") => {
                known("pbkdf2", Pbkdf2::parse_dollar(s).map(Self::Pbkdf2))
            }
            s if s.starts_with("pbkdf2_") => {
                known("pbkdf2", Pbkdf2::parse_django(s).map(Self::Pbkdf2))
            }
            s if s.starts_with("pbkdf2:") => {
                known("pbkdf2", Pbkdf2::parse_werkzeug(s).map(Self::Pbkdf2))
            }
            s if s.starts_with("$scrypt$") => {
                known("scrypt", Scrypt::parse_phc(s).map(Self::Scrypt))
            }
            s if s.starts_with('{') && s.contains("\"algorithm\"") => CustomHash::parse(s)
                .map(|hash| Self::Auth0(Box::new(hash)))
                .map_err(|reason| ("custom_password_hash", reason)),
            s if s.starts_with('{') => known("ldap", Ldap::parse(s).map(Self::Ldap)),
            _ => return None,
        })
    }

    /// The format's name, for the log and the migration reports.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Bcrypt(_) => "bcrypt",
            Self::ShaCrypt(_) => "sha-crypt",
            Self::Md5Crypt(_) => "md5-crypt",
            Self::Phpass(_) => "phpass",
            Self::Argon2(_) => "argon2",
            Self::DjangoBcryptSha256(_) => "django bcrypt_sha256",
            Self::Pbkdf2(_) => "pbkdf2",
            Self::Scrypt(_) => "scrypt",
            Self::Ldap(_) => "ldap",
            Self::Auth0(_) => "custom_password_hash",
        }
    }

    /// Checks `password`, on the calling thread (some formats are deliberately slow).
    pub fn verify(&self, password: &str) -> bool {
        let bytes = password.as_bytes();
        match self {
            Self::Bcrypt(stored) => crypt::bcrypt(bytes, stored),
            Self::ShaCrypt(stored) => crypt::sha_crypt(bytes, stored),
            Self::Md5Crypt(stored) => crypt::md5_crypt(bytes, stored),
            Self::Phpass(stored) => crypt::phpass(bytes, stored),
            Self::Argon2(stored) => kdf::argon2(bytes, stored),
            Self::DjangoBcryptSha256(stored) => kdf::django_bcrypt_sha256(bytes, stored),
            Self::Pbkdf2(hash) => hash.verify(bytes),
            Self::Scrypt(hash) => hash.verify(bytes),
            Self::Ldap(hash) => hash.verify(bytes),
            Self::Auth0(hash) => hash.verify(password),
        }
    }
}

#[cfg(test)]
mod tests;
