//! `/oauth/jwks`: the public keys that verify Usher's ID and access tokens (RFC 7517), every
//! key not yet withdrawn, including one published ahead of its first signature.
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::api::ApiError;
use crate::services::signing_keys;
use crate::state::AppState;

pub async fn get(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let keys = signing_keys::published_jwks(&state.store).await?;
    Ok(HttpResponse::Ok()
        // Short enough that a rotation's new key (published an hour ahead) reaches every cache.
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(300),
        ]))
        .json(json!({ "keys": keys })))
}
