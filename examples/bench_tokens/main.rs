//! Token endpoint figures: client-credentials grants per second over keep-alive connections,
//! their p50/p99 latency and the server's CPU time per token (from /proc/PID/stat), and the
//! cost of one RS256 and one ES256 signature in this process.
//!
//!   bench-tokens BASE_URL SERVER_PID SECONDS CLIENT_ID CLIENT_SECRET
//! (scripts/bench-tokens.sh starts a server, registers the client and runs this.)
#![allow(clippy::unwrap_used)] // a benchmark that cannot run has nothing to report

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use usher::domain::signing_key::SigningAlgorithm;
use usher::signing;

/// Concurrent connections, as the anchors were measured (wrk, 16 connections).
const CONNECTIONS: usize = 16;
const TICKS_PER_SEC: f64 = 100.0;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, pid, seconds, client_id, secret] = &args[..] else {
        panic!("usage: bench-tokens BASE_URL SERVER_PID SECONDS CLIENT_ID CLIENT_SECRET");
    };
    let phase = Duration::from_secs(seconds.parse().unwrap());
    let url = format!("{base}/oauth/token");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .unwrap();

    // Warm up: the first request reads and opens the signing key.
    grant(&client, &url, client_id, secret).await;

    let stop = Arc::new(AtomicBool::new(false));
    let cpu_before = server_cpu_ticks(pid);
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (client, url, id, secret, stop) = (
                client.clone(),
                url.clone(),
                client_id.clone(),
                secret.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    grant(&client, &url, &id, &secret).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    tokio::time::sleep(phase).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let elapsed = started.elapsed();
    let cpu_ms = (server_cpu_ticks(pid) - cpu_before) as f64 / TICKS_PER_SEC * 1000.0;
    latencies.sort();
    let n = latencies.len();
    println!(
        "client_credentials grants, {CONNECTIONS} connections, {:.0} s:",
        elapsed.as_secs_f64()
    );
    println!("  {:>8.0} tokens/s", n as f64 / elapsed.as_secs_f64());
    println!(
        "  p50 {:.2} ms, p99 {:.2} ms",
        ms(latencies[n / 2]),
        ms(latencies[(n * 99 / 100).min(n - 1)])
    );
    println!("  server CPU {:.3} ms per token", cpu_ms / n as f64);

    for algorithm in SigningAlgorithm::ALL {
        println!(
            "one {algorithm} signature: {:.3} ms",
            signature_ms(algorithm)
        );
    }
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

async fn grant(client: &reqwest::Client, url: &str, id: &str, secret: &str) {
    let res = client
        .post(url)
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success(),
        "token request failed: {}",
        res.status()
    );
    res.bytes().await.unwrap();
}

/// utime + stime of the server process, in clock ticks (proc(5)).
fn server_cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .collect();
    fields[14 - 3].parse::<u64>().unwrap() + fields[15 - 3].parse::<u64>().unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
