//! A product's back-channel logout endpoint, as a small HTTP server on 127.0.0.1: it keeps the
//! logout tokens it is sent and answers with the statuses it is told to, in turn (then 200).
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};

use super::eventually;

#[derive(Clone, Default)]
struct Shared {
    tokens: Arc<Mutex<Vec<String>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

pub struct LogoutReceiver {
    pub uri: String,
    shared: Shared,
}

#[derive(serde::Deserialize)]
struct LogoutForm {
    logout_token: String,
}

async fn receive(shared: web::Data<Shared>, form: web::Form<LogoutForm>) -> HttpResponse {
    shared
        .tokens
        .lock()
        .unwrap()
        .push(form.into_inner().logout_token);
    let status = shared.answers.lock().unwrap().pop_front().unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

impl LogoutReceiver {
    /// Starts one that answers `answers` first, then 200.
    pub fn start(answers: &[u16]) -> Self {
        let shared = Shared::default();
        shared.answers.lock().unwrap().extend(answers);
        let data = web::Data::new(shared.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/backchannel-logout", web::post().to(receive))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            uri: format!("http://127.0.0.1:{port}/backchannel-logout"),
            shared,
        }
    }

    /// The tokens received so far.
    pub fn tokens(&self) -> Vec<String> {
        self.shared.tokens.lock().unwrap().clone()
    }

    /// Waits until `n` tokens have come (the job runner sends them).
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        eventually(Duration::from_secs(30), "logout tokens", || async {
            let tokens = self.tokens();
            (tokens.len() >= n).then_some(tokens)
        })
        .await
    }
}
