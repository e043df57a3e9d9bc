//! The rules a new password must meet (NIST SP 800-63B-4): a length range, no composition
//! rules, and no password that is common or built from the person's own email or name.
use secrecy::SecretString;
use zxcvbn::{Score, zxcvbn};

/// NIST SP 800-63B-4 asks for 15 characters when the password is the only factor.
pub const DEFAULT_MIN_CHARS: usize = 15;
/// A deployment may lower the minimum, but never below this.
pub const LOWEST_MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 256;

/// The length a deployment asks of new passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordRules {
    min_chars: usize,
}

impl Default for PasswordRules {
    fn default() -> Self {
        Self {
            min_chars: DEFAULT_MIN_CHARS,
        }
    }
}

impl PasswordRules {
    /// Rules with another minimum length; refused below 8 or above the maximum.
    pub fn with_min_chars(min_chars: usize) -> Result<Self, String> {
        if !(LOWEST_MIN_CHARS..=MAX_CHARS).contains(&min_chars) {
            return Err(format!(
                "the minimum password length must be between {LOWEST_MIN_CHARS} and {MAX_CHARS}"
            ));
        }
        Ok(Self { min_chars })
    }

    pub fn min_chars(self) -> usize {
        self.min_chars
    }

    /// The hint shown under every new-password field.
    pub fn hint(self) -> String {
        format!(
            "At least {} characters. A few unrelated words work well.",
            self.min_chars
        )
    }
}

/// A password that passed the rules; only ever handed to the hasher.
#[derive(Debug)]
pub struct NewPassword(SecretString);

impl NewPassword {
    /// Checks `input` against the rules; `context` holds what the account is known by
    /// (email, name), which the password must not contain.
    pub fn parse(input: &str, context: &[&str], rules: PasswordRules) -> Result<Self, String> {
        let length = input.chars().count();
        if length < rules.min_chars {
            return Err(format!(
                "Use at least {} characters for your password.",
                rules.min_chars
            ));
        }
        if length > MAX_CHARS {
            return Err("Use at most 256 characters for your password.".into());
        }
        let lowered = input.to_lowercase();
        let contains_context = context
            .iter()
            .map(|word| word.trim().to_lowercase())
            .filter(|word| word.chars().count() >= 4)
            .any(|word| lowered.contains(&word));
        if contains_context {
            return Err("Your password must not contain your email address or name.".into());
        }
        // zxcvbn slows down sharply on long crafted inputs; a long password's first 100
        // characters tell as much about its strength.
        let scored: String = input.chars().take(100).collect();
        if zxcvbn(&scored, context).score() < Score::Three {
            return Err(
                "This password is too common or easy to guess. Try a few unrelated words.".into(),
            );
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

    fn parse(input: &str, context: &[&str]) -> Result<NewPassword, String> {
        NewPassword::parse(input, context, PasswordRules::default())
    }

    #[test]
    fn length_limits() {
        assert!(parse("short", &[]).is_err());
        assert!(parse("wombat quiz 7", &[]).is_err(), "13 characters");
        assert!(parse(&"x7!q".repeat(65), &[]).is_err());
        assert!(parse("correct horse battery staple 42", &[]).is_ok());
        let eight = PasswordRules::with_min_chars(8).unwrap();
        assert!(NewPassword::parse("wombat quiz 7", &[], eight).is_ok());
        assert!(PasswordRules::with_min_chars(7).is_err());
    }

    #[test]
    fn refuses_common_passwords() {
        for common in ["password123", "qwertyuiop", "1234567890", "iloveyou12"] {
            assert!(parse(common, &[]).is_err(), "{common} accepted");
        }
    }

    #[test]
    fn refuses_the_persons_own_email_or_name() {
        let context = ["ada.lovelace@example.com", "Ada Lovelace", "ada.lovelace"];
        assert!(parse("ada.lovelace@example.com", &context).is_err());
        assert!(parse("xx Ada Lovelace 1815", &context).is_err());
    }
}
