//! ID tokens (OpenID Connect Core §2), built and signed with openidconnect's own types.
use chrono::{DateTime, Utc};
use openidconnect::core::{CoreGenderClaim, CoreJwsSigningAlgorithm};
use openidconnect::{
    AccessToken, AdditionalClaims, Audience, AuthenticationMethodReference, EndUserEmail,
    EndUserName, IdToken, IdTokenClaims, IssuerUrl, Nonce, StandardClaims, SubjectIdentifier,
};
use serde::{Deserialize, Serialize};

use super::claims::Subject;
use crate::domain::oauth::{ID_TOKEN_LIFETIME_SECS, Scope};
use crate::services::{Error, Result};
use crate::signing::Signer;

/// The claims Usher adds: the sign-in's session, and the organization when one was chosen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UsherClaims {
    pub sid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_role: Option<String>,
}

impl AdditionalClaims for UsherClaims {}

type UsherIdToken = IdToken<
    UsherClaims,
    CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// What the ID token of one grant says beyond the subject.
pub struct IdTokenFacts<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub scope: &'a Scope,
    pub nonce: Option<&'a str>,
    pub sid: &'a str,
    pub auth_time: i64,
    pub now: i64,
    /// The access token issued with it, for `at_hash`.
    pub access_token: &'a str,
}

pub fn sign(signer: &Signer, subject: &Subject, facts: &IdTokenFacts<'_>) -> Result<String> {
    let mut standard =
        StandardClaims::new(SubjectIdentifier::new(subject.user.id.as_str().to_owned()));
    if facts.scope.has("email") {
        standard = standard
            .set_email(Some(EndUserEmail::new(
                subject.user.email.as_str().to_owned(),
            )))
            .set_email_verified(Some(subject.user.email_verified));
    }
    if facts.scope.has("profile") {
        standard = standard.set_name(Some(
            EndUserName::new(subject.user.name.as_str().to_owned()).into(),
        ));
    }
    let org = subject.org.as_ref();
    let additional = UsherClaims {
        sid: facts.sid.to_owned(),
        org_id: org.map(|(org, _)| org.id.as_str().to_owned()),
        org_name: org.map(|(org, _)| org.name.clone()),
        org_role: org.map(|(_, role)| role.as_str().to_owned()),
    };
    let issuer = IssuerUrl::new(facts.issuer.to_owned()).map_err(unexpected)?;
    let claims = IdTokenClaims::new(
        issuer,
        vec![Audience::new(facts.client_id.to_owned())],
        time(facts.now + ID_TOKEN_LIFETIME_SECS)?,
        time(facts.now)?,
        standard,
        additional,
    )
    .set_auth_time(Some(time(facts.auth_time)?))
    .set_nonce(facts.nonce.map(|nonce| Nonce::new(nonce.to_owned())))
    .set_auth_method_refs(Some(vec![AuthenticationMethodReference::new(
        "pwd".to_owned(),
    )]));
    let token = UsherIdToken::new(
        claims,
        signer,
        signer.jws_algorithm(),
        Some(&AccessToken::new(facts.access_token.to_owned())),
        None,
    )
    .map_err(unexpected)?;
    Ok(token.to_string())
}

fn time(unix: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(unix, 0)
        .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("a time out of range: {unix}")))
}

fn unexpected(err: impl std::fmt::Display) -> Error {
    Error::Unexpected(anyhow::anyhow!("building an ID token: {err}"))
}
