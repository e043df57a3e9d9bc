//! Usher's own JWTs: signing access tokens (RFC 9068, `typ: at+jwt`) and verifying the tokens
//! Usher signed when they come back (userinfo, introspection, `id_token_hint`). ID tokens are
//! built with openidconnect's types, in `id_token`.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::JsonWebKey;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::signing_key::SigningAlgorithm;
use crate::services::signing_keys::Keys;
use crate::services::{Error, Result};
use crate::signing::{Signer, jws_algorithm};

/// The `typ` of access tokens (RFC 9068 §2.1).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
pub const ID_TOKEN_TYPE: &str = "JWT";

/// Signs `claims` as a compact JWS with `signer`.
pub fn sign(signer: &Signer, typ: &str, claims: &Value) -> Result<String> {
    let header = json!({ "alg": signer.algorithm.as_str(), "typ": typ, "kid": signer.kid });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).map_err(unexpected)?),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).map_err(unexpected)?)
    );
    let signature = signer
        .sign_bytes(signing_input.as_bytes())
        .map_err(|err| Error::Unexpected(err.context("signing a token")))?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
    kid: Option<String>,
}

/// The claims of `token` if Usher signed it with a published key and it has the type
/// `typ`. Expiry and the other claims are the caller's to check.
pub fn verify(keys: &Keys, token: &str, typ: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    // Only what Usher signs: no `none`, no HMAC made with a public key.
    let algorithm = SigningAlgorithm::parse(&header.alg)?;
    if !header
        .typ
        .as_deref()
        .unwrap_or(ID_TOKEN_TYPE)
        .eq_ignore_ascii_case(typ)
    {
        return None;
    }
    let key = keys
        .verifiers
        .iter()
        .find(|key| key.key_id().map(|kid| kid.as_str()) == header.kid.as_deref())?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let signing_input = &token[..token.rfind('.')?];
    // The key's own algorithm, whatever the header claims: an RSA key never checks ES256.
    key.verify_signature(
        &jws_algorithm(algorithm),
        signing_input.as_bytes(),
        &signature,
    )
    .ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()
}

fn unexpected(err: serde_json::Error) -> Error {
    Error::Unexpected(err.into())
}
