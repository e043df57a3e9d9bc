//! The rules a new password must meet (NIST SP 800-63B): a length range, no composition
//! rules, and no password that is common or built from the person's own email or name.
use secrecy::SecretString;
use zxcvbn::{Score, zxcvbn};

pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 256;

/// A password that passed the rules; only ever handed to the hasher.
#[derive(Debug)]
pub struct NewPassword(SecretString);

impl NewPassword {
    /// Checks `input` against the rules; `context` holds what the account is known by
    /// (email, name), which the password must not contain.
    pub fn parse(input: &str, context: &[&str]) -> Result<Self, &'static str> {
        let length = input.chars().count();
        if length < MIN_CHARS {
            return Err("Use at least 10 characters for your password.");
        }
        if length > MAX_CHARS {
            return Err("Use at most 256 characters for your password.");
        }
        let lowered = input.to_lowercase();
        let contains_context = context
            .iter()
            .map(|word| word.trim().to_lowercase())
            .filter(|word| word.chars().count() >= 4)
            .any(|word| lowered.contains(&word));
        if contains_context {
            return Err("Your password must not contain your email address or name.");
        }
        // zxcvbn slows down sharply on long crafted inputs; a long password's first 100
        // characters tell as much about its strength.
        let scored: String = input.chars().take(100).collect();
        if zxcvbn(&scored, context).score() < Score::Three {
            return Err("This password is too common or easy to guess. Try a few unrelated words.");
        }
        Ok(Self(SecretString::from(input)))
    }

    pub fn secret(&self) -> &SecretString {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits() {
        assert!(NewPassword::parse("short", &[]).is_err());
        assert!(NewPassword::parse(&"x7!q".repeat(65), &[]).is_err());
        assert!(NewPassword::parse("correct horse battery staple 42", &[]).is_ok());
    }

    #[test]
    fn refuses_common_passwords() {
        for common in ["password123", "qwertyuiop", "1234567890", "iloveyou12"] {
            assert!(
                NewPassword::parse(common, &[]).is_err(),
                "{common} accepted"
            );
        }
    }

    #[test]
    fn refuses_the_persons_own_email_or_name() {
        let context = ["ada.lovelace@example.com", "Ada Lovelace", "ada.lovelace"];
        assert!(NewPassword::parse("ada.lovelace@example.com", &context).is_err());
        assert!(NewPassword::parse("xx Ada Lovelace 1815", &context).is_err());
    }
}
