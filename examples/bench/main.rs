//! Usher's benchmark: prints, measured in one run on one machine, the raw argon2id hash rate
//! on all cores, the password sign-in rate through HTTP (GET form + email step + password
//! step), the login page's throughput and latency, alone and while sign-ins saturate the
//! CPU, and the server's CPU time per failed and per successful sign-in beside the CPU time of
//! the bare hash, on the freshly started server and again once the load phases warmed it.
//! Run it through `scripts/bench.sh`, which builds and starts a release `usher`.
//!
//! Usage: bench BASE_URL SERVER_PID [SECONDS_PER_PHASE]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot proceed stops

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode, header, redirect};

use cpu::{Hashers, Outcome, SignInCpu};

mod cpu;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "violet harbor lantern sixteen";
const SIGN_IN_CLIENTS: usize = 8;
const PAGE_CLIENTS: usize = 16;

#[tokio::main(worker_threads = 1)] // the load generator leaves the CPU to the server
async fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench BASE_URL SERVER_PID [SECONDS]";
    let base = args.next().expect(usage);
    let server: u32 = args.next().expect(usage).parse().expect("SERVER_PID");
    let comm = std::fs::read_to_string(format!("/proc/{server}/comm")).expect("no such process");
    assert_eq!(comm.trim(), "usher", "SERVER_PID is not the usher server");
    let secs: u64 = args.next().map_or(10, |s| s.parse().expect("seconds"));
    let phase = Duration::from_secs(secs);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let client = Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();

    let load_at_start = load_average();
    seed_verified_user(&client, &base).await;
    let token = csrf_for(&client, &format!("{base}/login")).await;
    let cpu = SignInCpu {
        client: &client,
        base: &base,
        token: &token,
        server,
        clients: cores,
        raw_hash: usher_hash_once,
    };
    let fresh_failed = cpu.measure(Outcome::Failed, "fresh").await;
    let fresh_signed_in = cpu.measure(Outcome::SignedIn, "fresh").await;

    let hashes_per_sec = raw_hash_rate(cores, phase);
    let (page_rps, page_latency) = login_page_load(&client, &base, phase).await;
    let stop = Arc::new(AtomicBool::new(false));
    let probe = tokio::spawn(latency_probe(client.clone(), base.clone(), stop.clone()));
    let (sign_ins, sign_ins_per_sec) = sign_in_load(&client, &base, phase).await;
    stop.store(true, Ordering::Relaxed);
    let loaded_latency = probe.await.unwrap();

    let warm_failed = cpu.measure(Outcome::Failed, "warm").await;
    let warm_signed_in = cpu.measure(Outcome::SignedIn, "warm").await;
    let plain = Hashers::start(cores, argon2_crate_hash);
    plain.hash(cpu::ATTEMPTS / cores);
    let plain = plain.finish();

    println!("Usher benchmark: {cores} cores, {secs} s per phase, release build");
    // Other work on the machine slows the hashes down; CPU times suffer less than rates.
    println!(
        "  load average at start {load_at_start}, at end {}",
        load_average()
    );
    println!("  raw argon2id hashes/s ({cores} threads)            {hashes_per_sec:>9.1}");
    println!(
        "  password sign-ins/s over HTTP ({SIGN_IN_CLIENTS} clients)     {sign_ins_per_sec:>9.1}   = {:.2} x raw hash rate (target >= 0.80)",
        sign_ins_per_sec / hashes_per_sec
    );
    println!(
        "  login page GET req/s ({PAGE_CLIENTS} clients)             {page_rps:>9.1}   p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&page_latency, 50.0)),
        ms(percentile(&page_latency, 99.0))
    );
    println!(
        "  login page GET during sign-in load                    p50 {:.1} ms, p99 {:.1} ms (target p99 < 50 ms, {} samples)",
        ms(percentile(&loaded_latency, 50.0)),
        ms(percentile(&loaded_latency, 99.0)),
        loaded_latency.len()
    );
    println!(
        "  CPU per password POST ({cores} clients; server from /proc/{server}/stat), raw hash (usher's hash_once on {cores} threads) in alternate rounds"
    );
    println!(
        "                                         user ms   sys ms  total ms  minor faults  raw hash ms  ratio (target <= 1.10)"
    );
    let warmed = format!("warmed ({sign_ins} sign-ins)");
    let rows = [
        ("fresh server, failed sign-in".to_owned(), &fresh_failed),
        ("fresh server, successful".to_owned(), &fresh_signed_in),
        (format!("{warmed}, failed"), &warm_failed),
        (format!("{warmed}, successful"), &warm_signed_in),
    ];
    for (label, row) in rows {
        let server = &row.server;
        println!(
            "    {label:<36} {:>7.2} {:>8.2} {:>9.2} {:>13.0} {:>12.2} {:>6.2}",
            server.user_ms,
            server.sys_ms,
            server.total_ms(),
            server.minor_faults,
            row.raw.total_ms(),
            server.total_ms() / row.raw.total_ms()
        );
    }
    println!(
        "    {:<36} {:>7.2} {:>8.2} {:>9.2} {:>13.0}",
        "argon2 crate hash_password, alone",
        plain.user_ms,
        plain.sys_ms,
        plain.total_ms(),
        plain.minor_faults
    );
}

/// The raw hash the server's sign-ins are compared with.
fn usher_hash_once() {
    usher::credentials::hash_once(PASSWORD).unwrap();
}

/// The same hash as the argon2 crate makes it for a caller that keeps nothing between hashes.
fn argon2_crate_hash() {
    use argon2::password_hash::PasswordHasher;
    let params = argon2::Params::new(19_456, 2, 1, None).unwrap();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(PASSWORD.as_bytes())
        .unwrap();
}

/// The 1-minute load average, from /proc/loadavg.
fn load_average() -> String {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap();
    loadavg.split_whitespace().next().unwrap().to_owned()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

/// argon2id with Usher's parameters on every core, nothing else.
fn raw_hash_rate(threads: usize, phase: Duration) -> f64 {
    let count = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let count = count.clone();
            scope.spawn(move || {
                while start.elapsed() < phase {
                    usher::credentials::hash_once(PASSWORD).unwrap();
                    count.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    count.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// A form page's CSRF token: `seed.mac`, where the seed is the value of the CSRF cookie the
/// page sets.
async fn csrf_for(client: &Client, url: &str) -> String {
    let html = client.get(url).send().await.unwrap().text().await.unwrap();
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("no CSRF field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

async fn post(
    client: &Client,
    url: &str,
    token: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = fields.to_vec();
    form.push(("csrf_token", token));
    let seed = token.split('.').next().unwrap();
    client
        .post(url)
        .header(header::COOKIE, format!("usher_csrf={seed}"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Signs up, then verifies through the link shown on the dev mail page, typing the password
/// again as a browser other than the one that signed up must.
async fn seed_verified_user(client: &Client, base: &str) {
    let token = csrf_for(client, &format!("{base}/signup")).await;
    let fields = [
        ("name", "Bench User"),
        ("email", EMAIL),
        ("password", PASSWORD),
    ];
    assert_eq!(
        post(client, &format!("{base}/signup"), &token, &fields)
            .await
            .status(),
        StatusCode::OK
    );
    let link = loop {
        let list = client
            .get(format!("{base}/dev/mail"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if let Some(i) = list.find("href=\"/dev/mail/") {
            let id = &list[i + 16..i + 16 + list[i + 16..].find('"').unwrap()];
            let page = client
                .get(format!("{base}/dev/mail/{id}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let start = page.find("token=").expect("no link in the mail") + 6;
            break page[start..start + page[start..].find('"').unwrap()].to_owned();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let res = post(
        client,
        &format!("{base}/verify-email"),
        &token,
        // The password chosen at sign-up proves it from a browser without the sign-up's cookie.
        &[("token", &link), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "verification failed");
}

/// One whole browser sign-in: open the form, send the email, send the password.
async fn sign_in_once(client: &Client, base: &str) {
    let token = csrf_for(client, &format!("{base}/login")).await;
    post(
        client,
        &format!("{base}/login"),
        &token,
        &[("email", EMAIL)],
    )
    .await;
    let res = post(
        client,
        &format!("{base}/login/password"),
        &token,
        &[("email", EMAIL), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in failed");
}

/// Sign-ins from `SIGN_IN_CLIENTS` clients for one phase: how many, and how many a second.
async fn sign_in_load(client: &Client, base: &str, phase: Duration) -> (u64, f64) {
    let start = Instant::now();
    let workers: Vec<_> = (0..SIGN_IN_CLIENTS)
        .map(|_| {
            let (client, base) = (client.clone(), base.to_owned());
            tokio::spawn(async move {
                let mut done = 0u64;
                while start.elapsed() < phase {
                    sign_in_once(&client, &base).await;
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        total += worker.await.unwrap();
    }
    (total, total as f64 / start.elapsed().as_secs_f64())
}

/// Many clients fetching the login page as fast as they can.
async fn login_page_load(client: &Client, base: &str, phase: Duration) -> (f64, Vec<Duration>) {
    let start = Instant::now();
    let workers: Vec<_> = (0..PAGE_CLIENTS)
        .map(|_| {
            let (client, url) = (client.clone(), format!("{base}/login"));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while start.elapsed() < phase {
                    let t = Instant::now();
                    let res = client.get(&url).send().await.unwrap();
                    res.bytes().await.unwrap();
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let rps = all.len() as f64 / start.elapsed().as_secs_f64();
    all.sort();
    (rps, all)
}

/// A person opening the login page every 20 ms while the sign-in load runs.
async fn latency_probe(client: Client, base: String, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let mut latencies = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        client
            .get(format!("{base}/login"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        latencies.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    latencies.sort();
    latencies
}
