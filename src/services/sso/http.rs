//! The calls Usher makes to an organization's identity provider (discovery, keys, token,
//! userinfo), through the outbound client and its timeouts, with a cap on what a provider
//! may answer: an answer bigger than any real discovery document or key set is refused
//! before it is read whole.
use std::future::Future;
use std::pin::Pin;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

/// The most an identity provider's answer may hold.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{0}")]
    Transport(#[from] reqwest::Error),
    #[error("the answer is larger than {MAX_RESPONSE_BYTES} bytes")]
    TooLarge,
    #[error("the answer could not be read: {0}")]
    Malformed(#[from] openidconnect::http::Error),
}

/// The outbound client as `openidconnect` calls it.
pub struct IdpClient<'a>(pub &'a reqwest::Client);

impl<'c> AsyncHttpClient<'c> for IdpClient<'_> {
    type Error = CallError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, CallError>> + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(self.0, request))
    }
}

/// Sends `request` and reads the answer, at most `MAX_RESPONSE_BYTES` of it.
pub async fn send(
    client: &reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, CallError> {
    let (parts, body) = request.into_parts();
    let mut response = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    if response
        .content_length()
        .is_some_and(|length| length > MAX_RESPONSE_BYTES as u64)
    {
        return Err(CallError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(CallError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let mut answer = openidconnect::http::Response::builder()
        .status(response.status())
        .body(body)?;
    *answer.headers_mut() = response.headers().clone();
    Ok(answer)
}
