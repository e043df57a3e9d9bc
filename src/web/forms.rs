//! Form validation results: one plain message per field, shown beside it.
use crate::domain::{DisplayName, Email, NewPassword, PasswordRules};

#[derive(Debug, Default)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// Keeps the value of a parse, or records its error under `field`.
    pub fn check<T, M: Into<String>>(
        &mut self,
        field: &'static str,
        parsed: Result<T, M>,
    ) -> Option<T> {
        parsed.map_err(|message| self.add(field, message)).ok()
    }

    /// The message for `field`, or "" when it is fine (templates test for emptiness).
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map_or("", |(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The fields that create an account, parsed together: the password may contain neither the
/// email nor the name typed beside it.
pub struct NewAccount {
    pub name: DisplayName,
    pub email: Email,
    pub password: NewPassword,
}

impl NewAccount {
    /// Parses all three fields, recording every problem (not only the first) in `errors`.
    pub fn parse(
        errors: &mut FieldErrors,
        name: &str,
        email: &str,
        password: &str,
        rules: PasswordRules,
    ) -> Option<Self> {
        let parsed_name = errors.check("name", DisplayName::parse(name));
        let parsed_email = errors.check("email", Email::parse(email));
        let local_part = parsed_email
            .as_ref()
            .map(|e| e.local_part().to_owned())
            .unwrap_or_default();
        let password = errors.check(
            "password",
            NewPassword::parse(password, &[email, name, &local_part], rules),
        );
        Some(Self {
            name: parsed_name?,
            email: parsed_email?,
            password: password?,
        })
    }
}
