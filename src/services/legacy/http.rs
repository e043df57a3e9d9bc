//! A legacy store behind an endpoint: Usher POSTs `{"email", "password"}` as JSON (with the
//! configured bearer token), and the answer says whether the password is right: 200 with the
//! user as JSON, 401 or 404 when not. Anything else, or no answer within the timeouts, means
//! the store is down.
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::LegacyError;
use super::sql::RawUser;

/// The legacy endpoint's timeouts: a store that is down fails a sign-in in seconds.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
pub const READ_TIMEOUT: Duration = Duration::from_secs(2);

/// The most a legacy endpoint's answer may hold.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// What the endpoint said about an email and password.
pub enum Answer {
    Matched(RawUser),
    Rejected,
}

#[derive(Deserialize)]
struct UserJson {
    #[serde(alias = "user_id")]
    id: Option<Value>,
    email: Option<String>,
    name: Option<String>,
    email_verified: Option<Value>,
}

/// Asks the endpoint at `url` whether `password` is `email`'s.
pub async fn check(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    email: &str,
    password: &str,
) -> Result<Answer, LegacyError> {
    let mut request = client
        .post(url)
        .json(&serde_json::json!({"email": email, "password": password}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let mut response = request.send().await.map_err(|err| unavailable(&err))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::NOT_FOUND {
        return Ok(Answer::Rejected);
    }
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(LegacyError::Busy(
            "the legacy endpoint asked to slow down".into(),
        ));
    }
    if !status.is_success() {
        return Err(LegacyError::Unavailable(format!(
            "the legacy endpoint answered {status}"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|err| unavailable(&err))? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(LegacyError::Unavailable(
                "the legacy endpoint's answer is too large".into(),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let user: UserJson = serde_json::from_slice(&body).map_err(|_| {
        LegacyError::Misconfigured("the legacy endpoint's answer is not a user as JSON".into())
    })?;
    let id = match user.id {
        Some(Value::String(id)) if !id.is_empty() => (id, false),
        Some(Value::Number(id)) => (id.to_string(), true),
        _ => {
            return Err(LegacyError::Misconfigured(
                "the legacy endpoint's user has no id".into(),
            ));
        }
    };
    let email_verified = match user.email_verified {
        Some(Value::Bool(verified)) => verified,
        Some(Value::String(text)) => crate::domain::legacy::truthy(&text),
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    };
    Ok(Answer::Matched(RawUser {
        id: id.0,
        numeric_id: id.1,
        // Checked against the email asked about by the caller: missing, it matches nothing.
        email: user.email.unwrap_or_default(),
        name: user.name,
        password_hash: None,
        email_verified,
    }))
}

/// A transport error in words, without the URL (it may carry credentials).
fn unavailable(err: &reqwest::Error) -> LegacyError {
    let what = if err.is_timeout() {
        "the legacy endpoint did not answer in time"
    } else if err.is_connect() {
        "the legacy endpoint cannot be reached"
    } else {
        "the call to the legacy endpoint failed"
    };
    LegacyError::Unavailable(what.into())
}
