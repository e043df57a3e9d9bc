//! CORS for the OpenID Provider's endpoints that single-page apps call from the browser: only
//! the origins of registered applications' redirect URIs may read the answers, each named
//! back exactly (never `*`).
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use crate::services::applications;
use crate::state::AppState;

/// How long a browser may keep a preflight's answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

pub async fn registered_origins(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let allowed = match &origin {
        Some(origin) => {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| actix_web::error::ErrorInternalServerError("state missing"))?;
            applications::origin_is_registered(&state.store, origin)
                .await
                .map_err(actix_web::error::ErrorServiceUnavailable)?
        }
        None => false,
    };
    let allow = allowed
        .then(|| {
            origin
                .as_deref()
                .and_then(|o| HeaderValue::from_str(o).ok())
        })
        .flatten();

    if req.method() == Method::OPTIONS {
        let mut preflight = HttpResponse::NoContent();
        preflight.insert_header((header::VARY, "Origin"));
        if let Some(allow) = allow {
            preflight
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, allow))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST"))
                .insert_header((
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    "Authorization, Content-Type",
                ))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE));
        }
        return Ok(req.into_response(preflight.finish()).map_into_right_body());
    }

    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(allow) = allow {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
    }
    Ok(res.map_into_left_body())
}
