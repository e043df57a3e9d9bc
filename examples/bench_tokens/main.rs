//! The OpenID Provider's figures, in one run against one server: the server's CPU for one
//! whole universal-login sign-in beside one argon2id hash; client-credentials, refresh-token
//! and authorization-code grants per second over keep-alive connections, with p50/p99 latency
//! and the server's CPU per grant (from /proc/PID/stat); and the cost of one RS256 and one
//! ES256 signature in this process.
//!
//!   bench-tokens BASE_URL SERVER_PID SECONDS CLIENT_ID CLIENT_SECRET OPERATOR_SETUP_LINK \
//!       ES256_CLIENT_ID ES256_CLIENT_SECRET
//! (scripts/bench-tokens.sh starts a server, registers the clients and runs this; the second
//! one signs its tokens with ES256, to show what the RS256 signature costs.)
#![allow(clippy::unwrap_used)] // a benchmark that cannot run has nothing to report

mod browser;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use browser::{App, PASSWORD, token_client};
use reqwest::Client;
use usher::domain::signing_key::SigningAlgorithm;
use usher::signing;

/// Concurrent connections, as the anchors were measured (wrk, 16 connections).
const CONNECTIONS: usize = 16;
/// Whole sign-ins whose server CPU is averaged: enough 10 ms clock ticks for a 2% reading.
const SIGN_INS: usize = 40;
const TICKS_PER_SEC: f64 = 100.0;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [
        _,
        base,
        pid,
        seconds,
        client_id,
        secret,
        setup_link,
        es_id,
        es_secret,
    ] = &args[..]
    else {
        panic!(
            "usage: bench-tokens BASE_URL SERVER_PID SECONDS CLIENT_ID CLIENT_SECRET SETUP_LINK \
             ES256_CLIENT_ID ES256_CLIENT_SECRET"
        );
    };
    let phase = Duration::from_secs(seconds.parse().unwrap());
    let app = App {
        base: base.clone(),
        client_id: client_id.clone(),
        secret: secret.clone(),
    };
    browser::set_up_operator(base, setup_link).await;

    // One sign-in first: it opens the signing keys and warms the server's caches.
    app.sign_in().await;
    let before = server_cpu_ticks(pid);
    let mut signed_in = Vec::new();
    for _ in 0..SIGN_INS {
        signed_in.push(app.sign_in().await);
    }
    let sign_in_ms = ticks_ms(server_cpu_ticks(pid) - before) / SIGN_INS as f64;
    let hash_ms = argon2id_cpu_ms();
    println!("universal-login sign-in (authorize, email, password, continue, code, token):");
    println!(
        "  server CPU {sign_in_ms:.1} ms per sign-in; one argon2id hash {hash_ms:.1} ms CPU here: {:.2}x",
        sign_in_ms / hash_ms
    );

    let http = token_client();
    let workers = (0..CONNECTIONS)
        .map(|_| ClientCredentials {
            app: app.clone(),
            http: http.clone(),
        })
        .collect();
    run_phase("client_credentials grants (RS256)", pid, phase, workers).await;
    let es256 = App {
        base: base.clone(),
        client_id: es_id.clone(),
        secret: es_secret.clone(),
    };
    let workers = (0..CONNECTIONS)
        .map(|_| ClientCredentials {
            app: es256.clone(),
            http: http.clone(),
        })
        .collect();
    run_phase(
        "client_credentials grants (an ES256 application)",
        pid,
        phase,
        workers,
    )
    .await;

    let workers = signed_in
        .iter()
        .take(CONNECTIONS)
        .map(|(_, tokens)| Refresh {
            app: app.clone(),
            http: http.clone(),
            token: tokens["refresh_token"].as_str().unwrap().to_owned(),
        })
        .collect();
    run_phase(
        "refresh_token grants (each rotates its token)",
        pid,
        phase,
        workers,
    )
    .await;

    let workers = signed_in
        .into_iter()
        .take(CONNECTIONS)
        .map(|(browser, _)| CodeFlow {
            app: app.clone(),
            browser,
        })
        .collect();
    run_phase(
        "authorization_code grants (authorize by single sign-on, then exchange)",
        pid,
        phase,
        workers,
    )
    .await;

    for algorithm in SigningAlgorithm::ALL {
        println!(
            "one {algorithm} signature: {:.3} ms",
            signature_ms(algorithm)
        );
    }
}

/// One request (or pair) of a load phase, repeated by a worker on its own connection.
trait Step: Send + 'static {
    fn step(&mut self) -> impl Future<Output = ()> + Send;
}

struct ClientCredentials {
    app: App,
    http: Client,
}

impl Step for ClientCredentials {
    async fn step(&mut self) {
        let form = [("grant_type", "client_credentials")];
        self.app.token_with(&self.http, &form).await;
    }
}

struct Refresh {
    app: App,
    http: Client,
    token: String,
}

impl Step for Refresh {
    async fn step(&mut self) {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", &self.token),
        ];
        let tokens = self.app.token_with(&self.http, &form).await;
        self.token = tokens["refresh_token"].as_str().unwrap().to_owned();
    }
}

struct CodeFlow {
    app: App,
    browser: Client,
}

impl Step for CodeFlow {
    async fn step(&mut self) {
        self.app.single_sign_on(&self.browser).await;
    }
}

/// Runs `workers` concurrently for `phase` and prints the rate, p50/p99 and server CPU.
async fn run_phase(what: &str, pid: &str, phase: Duration, workers: Vec<impl Step>) {
    let stop = Arc::new(AtomicBool::new(false));
    let cpu_before = server_cpu_ticks(pid);
    let started = Instant::now();
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    worker.step().await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    tokio::time::sleep(phase).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    let cpu_ms = ticks_ms(server_cpu_ticks(pid) - cpu_before);
    latencies.sort();
    let n = latencies.len();
    println!(
        "{what}, {CONNECTIONS} connections, {:.0} s:",
        elapsed.as_secs_f64()
    );
    println!("  {:>8.0} per second", n as f64 / elapsed.as_secs_f64());
    println!(
        "  p50 {:.2} ms, p99 {:.2} ms",
        ms(latencies[n / 2]),
        ms(latencies[(n * 99 / 100).min(n - 1)])
    );
    println!("  server CPU {:.3} ms each", cpu_ms / n as f64);
}

/// The CPU time of one argon2id hash with Usher's settings, on this thread.
fn argon2id_cpu_ms() -> f64 {
    usher::credentials::hash_once(PASSWORD).unwrap();
    let rounds = 20;
    let before = thread_cpu_ticks();
    for _ in 0..rounds {
        usher::credentials::hash_once(PASSWORD).unwrap();
    }
    ticks_ms(thread_cpu_ticks() - before) / rounds as f64
}

/// The time of one signature with a new key of `algorithm`, as Usher signs tokens.
fn signature_ms(algorithm: SigningAlgorithm) -> f64 {
    let pem = signing::generate_pem(algorithm).unwrap();
    let jwk = signing::public_jwk(&pem, "bench", algorithm).unwrap();
    let key = signing::Signer::open(&pem, "bench", algorithm, &jwk).unwrap();
    let rounds = 2_000;
    let t = Instant::now();
    for i in 0..rounds {
        key.sign_bytes(format!("header.claims-{i}").as_bytes())
            .unwrap();
    }
    ms(t.elapsed()) / rounds as f64
}

/// utime + stime of the server process, in clock ticks (proc(5)).
fn server_cpu_ticks(pid: &str) -> u64 {
    cpu_ticks(&format!("/proc/{pid}/stat"))
}

fn thread_cpu_ticks() -> u64 {
    cpu_ticks("/proc/thread-self/stat")
}

fn cpu_ticks(path: &str) -> u64 {
    let stat = std::fs::read_to_string(path).unwrap();
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .collect();
    fields[14 - 3].parse::<u64>().unwrap() + fields[15 - 3].parse::<u64>().unwrap()
}

fn ticks_ms(ticks: u64) -> f64 {
    ticks as f64 / TICKS_PER_SEC * 1000.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
