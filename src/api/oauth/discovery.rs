//! `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0), built with
//! openidconnect's provider metadata type; what it lacks (PKCE, RFC 9207, logout, revocation,
//! introspection, back-channel logout) is added beside it.
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpResponse, web};
use openidconnect::core::{
    CoreClaimName, CoreClientAuthMethod, CoreGrantType, CoreResponseMode, CoreResponseType,
    CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthUrl, IssuerUrl, JsonWebKeySetUrl, ProviderMetadata,
    ResponseTypes, Scope, TokenUrl, UserInfoUrl,
};
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::domain::oauth::scope::SUPPORTED;
use crate::domain::signing_key::SigningAlgorithm;
use crate::signing::jws_algorithm;
use crate::state::AppState;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MoreMetadata {
    code_challenge_methods_supported: Vec<String>,
    authorization_response_iss_parameter_supported: bool,
    end_session_endpoint: String,
    revocation_endpoint: String,
    introspection_endpoint: String,
    backchannel_logout_supported: bool,
    backchannel_logout_session_supported: bool,
}

impl AdditionalProviderMetadata for MoreMetadata {}

type Metadata = ProviderMetadata<
    MoreMetadata,
    openidconnect::core::CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    openidconnect::core::CoreClaimType,
    CoreGrantType,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJweKeyManagementAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

pub async fn get(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let at = |path: &str| state.links.endpoint(path);
    let bad = |err: url::ParseError| ApiError::from(crate::services::Error::Unexpected(err.into()));
    let more = MoreMetadata {
        code_challenge_methods_supported: vec!["S256".into()],
        authorization_response_iss_parameter_supported: true,
        end_session_endpoint: at("/oauth/logout"),
        revocation_endpoint: at("/oauth/revoke"),
        introspection_endpoint: at("/oauth/introspect"),
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
    };
    let metadata = Metadata::new(
        IssuerUrl::new(state.links.issuer()).map_err(bad)?,
        AuthUrl::new(at("/oauth/authorize")).map_err(bad)?,
        JsonWebKeySetUrl::new(at("/oauth/jwks")).map_err(bad)?,
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        SigningAlgorithm::ALL
            .into_iter()
            .map(jws_algorithm)
            .collect(),
        more,
    )
    .set_token_endpoint(Some(TokenUrl::new(at("/oauth/token")).map_err(bad)?))
    .set_userinfo_endpoint(Some(UserInfoUrl::new(at("/oauth/userinfo")).map_err(bad)?))
    .set_scopes_supported(Some(
        SUPPORTED
            .iter()
            .map(|s| Scope::new((*s).to_owned()))
            .collect(),
    ))
    .set_response_modes_supported(Some(vec![CoreResponseMode::Query]))
    .set_grant_types_supported(Some(vec![
        CoreGrantType::AuthorizationCode,
        CoreGrantType::RefreshToken,
        CoreGrantType::ClientCredentials,
    ]))
    .set_token_endpoint_auth_methods_supported(Some(vec![
        CoreClientAuthMethod::ClientSecretBasic,
        CoreClientAuthMethod::ClientSecretPost,
        CoreClientAuthMethod::None,
    ]))
    .set_claims_supported(Some(
        [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "sid",
            "amr",
            "email",
            "email_verified",
            "name",
            "org_id",
            "org_name",
            "org_role",
        ]
        .into_iter()
        .map(|claim| CoreClaimName::new(claim.to_owned()))
        .collect(),
    ))
    .set_request_parameter_supported(Some(false))
    .set_request_uri_parameter_supported(Some(false));
    Ok(HttpResponse::Ok()
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(300),
        ]))
        .json(metadata))
}
