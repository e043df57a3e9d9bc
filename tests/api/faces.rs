//! Two faces over one core: the JSON face needs no cookie and no CSRF token and answers errors
//! in JSON; the browser face checks CSRF on every form, multipart ones included.
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, SET_COOKIE};
use serde_json::Value;

use crate::helpers::{browser, spawn_app};

async fn json(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let content_type = res.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn the_json_face_takes_requests_without_cookies_or_csrf_tokens() {
    let app = spawn_app().await;
    // A POST with no cookie and no token reaches its handler (the browser face would refuse it).
    let res = browser().post(app.url("/api/health")).send().await.unwrap();
    assert!(
        res.headers().get(SET_COOKIE).is_none(),
        "no session, no CSRF cookie"
    );
    let (status, body) = json(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn the_json_face_answers_failures_in_json_with_a_code() {
    let app = spawn_app().await;
    let (status, body) = json(app.get("/api/no/such/thing").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    assert!(body["error_description"].is_string());

    let res = browser().put(app.url("/api/health")).send().await.unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"], "method_not_allowed");

    app.store.pool().close().await;
    let (status, body) = json(app.get("/api/health").await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"], "temporarily_unavailable");
}

fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "usherTestBoundary7MA4YWxk";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn multipart_forms_carry_the_csrf_token_in_their_first_field_or_the_query() {
    let app = spawn_app().await;
    let token = app.csrf().await;
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (content_type, body) = multipart(&fields);
            app.client
                .post(app.url(&path))
                .header(CONTENT_TYPE, content_type)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let email = ("email", "ada@example.com".to_owned());
    // Without the token: refused before any handler runs.
    assert_eq!(
        post("/forgot-password".into(), vec![email.clone()]).await,
        StatusCode::FORBIDDEN
    );
    // With it in the first field, or in the form action's query, the check passes (and this
    // form's handler, which takes urlencoded forms only, says so with 400).
    let with_field = post(
        "/forgot-password".into(),
        vec![("csrf_token", token.clone()), email.clone()],
    )
    .await;
    assert_eq!(with_field, StatusCode::BAD_REQUEST);
    let with_query = post(
        format!("/forgot-password?csrf_token={token}"),
        vec![email.clone()],
    )
    .await;
    assert_eq!(with_query, StatusCode::BAD_REQUEST);
    // A forged token in either place is refused.
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(
        post(
            "/forgot-password".into(),
            vec![("csrf_token", forged), email]
        )
        .await,
        StatusCode::FORBIDDEN
    );
}
