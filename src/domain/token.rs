//! Tokens sent by email: 256 random bits in the link, only their SHA-256 in the database.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// What an email token may be used for; a token of one purpose never works for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    ResetPassword,
    OperatorSetup,
    /// Lifts the lock an account gets after too many failed sign-ins.
    UnlockAccount,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResetPassword => "reset_password",
            Self::OperatorSetup => "operator_setup",
            Self::UnlockAccount => "unlock_account",
        }
    }

    /// How long a token of this purpose stays valid, in seconds.
    pub fn lifetime_secs(self) -> i64 {
        match self {
            Self::ResetPassword => 3600,
            // Printed on the server console at start; a restart prints a fresh one.
            Self::OperatorSetup => 2 * 3600,
            Self::UnlockAccount => 24 * 3600,
        }
    }
}

/// The secret half of an email token, as it appears in a link.
#[derive(Debug, Clone)]
pub struct EmailToken(String);

impl EmailToken {
    pub fn generate() -> Self {
        let bytes: [u8; 32] = rand::random();
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Wraps a token taken from a link or a form.
    pub fn from_link(token: &str) -> Self {
        Self(token.trim().to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps: a leaked table does not yield working links.
    pub fn hash(&self) -> String {
        hex_sha256(self.0.as_bytes())
    }
}

/// A random value that names one browser, kept in a long-lived cookie. A sign-up remembers the
/// browser that made it, and an account the browsers that signed in to it; only hashes are
/// stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserId(String);

impl BrowserId {
    pub fn generate() -> Self {
        Self(EmailToken::generate().0)
    }

    /// The id a cookie carries, if it has the shape of one Usher made.
    pub fn from_cookie(value: &str) -> Option<Self> {
        let well_formed = value.len() == 43
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hex_sha256(self.0.as_bytes())
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = EmailToken::generate();
        let b = EmailToken::generate();
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 43);
        assert_eq!(a.hash().len(), 64);
        assert_eq!(EmailToken::from_link(a.as_str()).hash(), a.hash());
    }
}
