//! CPU time per sign-in: the server's, read from /proc/PID/stat around a fixed number of
//! password POSTs, beside the raw hash's in this process. The two are measured in alternating
//! rounds, so that both see the same machine: on a shared one, the same hash can cost 10%
//! more CPU from one minute to the next.
use std::sync::mpsc;
use std::thread::JoinHandle;

use reqwest::{Client, StatusCode};

use super::{EMAIL, PASSWORD, post};

/// Password POSTs per measurement: enough clock ticks (10 ms each) for a 1% reading.
pub const ATTEMPTS: usize = 100;
const ROUNDS: usize = 5;
/// Linux reports CPU time in USER_HZ ticks, 100 a second on every architecture Usher is
/// built for.
const TICKS_PER_SEC: f64 = 100.0;

/// CPU time and minor page faults of one operation, averaged over many.
pub struct Cost {
    pub user_ms: f64,
    pub sys_ms: f64,
    pub minor_faults: f64,
}

impl Cost {
    pub fn total_ms(&self) -> f64 {
        self.user_ms + self.sys_ms
    }
}

/// Cumulative counters of a process or thread, from its `stat` file in /proc.
#[derive(Clone, Copy)]
struct Counters {
    minor_faults: u64,
    user_ticks: u64,
    sys_ticks: u64,
}

impl Counters {
    /// Reads `stat` (see proc(5)): fields 10, 14 and 15 are minflt, utime and stime. The
    /// process name (field 2) may hold spaces, so fields are counted after its `)`.
    fn read(path: &str) -> Self {
        let stat = std::fs::read_to_string(path).unwrap();
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 1..]
            .split_whitespace()
            .collect();
        let field = |n: usize| fields[n - 3].parse::<u64>().unwrap();
        Self {
            minor_faults: field(10),
            user_ticks: field(14),
            sys_ticks: field(15),
        }
    }

    /// What happened from `before` to `self`.
    fn since(self, before: Self) -> Self {
        Self {
            minor_faults: self.minor_faults - before.minor_faults,
            user_ticks: self.user_ticks - before.user_ticks,
            sys_ticks: self.sys_ticks - before.sys_ticks,
        }
    }

    fn plus(self, other: Self) -> Self {
        Self {
            minor_faults: self.minor_faults + other.minor_faults,
            user_ticks: self.user_ticks + other.user_ticks,
            sys_ticks: self.sys_ticks + other.sys_ticks,
        }
    }

    /// These counts, taken over `ops` operations, per operation.
    fn per_op(self, ops: usize) -> Cost {
        let per = |count: u64| count as f64 / ops as f64;
        Cost {
            user_ms: per(self.user_ticks) * 1000.0 / TICKS_PER_SEC,
            sys_ms: per(self.sys_ticks) * 1000.0 / TICKS_PER_SEC,
            minor_faults: per(self.minor_faults),
        }
    }
}

/// Threads of this process that hash only when told to. Each reads its own counters once
/// before its first order and once after its last, so they hold the hashes and nothing else.
pub struct Hashers {
    orders: Vec<mpsc::Sender<usize>>,
    done: mpsc::Receiver<()>,
    threads: Vec<JoinHandle<(Counters, Counters, usize)>>,
}

impl Hashers {
    /// Each thread hashes once before counting, so that the figure is a hash's steady cost,
    /// not a new thread's first touch of its memory.
    pub fn start(threads: usize, hash: fn()) -> Self {
        let (done_tx, done) = mpsc::channel();
        let (orders, threads) = (0..threads)
            .map(|_| {
                let (order_tx, orders) = mpsc::channel::<usize>();
                let done = done_tx.clone();
                let thread = std::thread::spawn(move || {
                    hash();
                    let before = Counters::read("/proc/thread-self/stat");
                    let mut hashes = 0;
                    for n in orders {
                        (0..n).for_each(|_| hash());
                        hashes += n;
                        done.send(()).unwrap();
                    }
                    (before, Counters::read("/proc/thread-self/stat"), hashes)
                });
                (order_tx, thread)
            })
            .unzip();
        Self {
            orders,
            done,
            threads,
        }
    }

    /// `per_thread` hashes on every thread at once; returns when all are done. It blocks the
    /// caller, which has nothing else to do meanwhile.
    pub fn hash(&self, per_thread: usize) {
        self.orders.iter().for_each(|o| o.send(per_thread).unwrap());
        self.orders.iter().for_each(|_| self.done.recv().unwrap());
    }

    pub fn finish(self) -> Cost {
        drop(self.orders);
        let zero = Counters {
            minor_faults: 0,
            user_ticks: 0,
            sys_ticks: 0,
        };
        let (spent, hashes) = self
            .threads
            .into_iter()
            .fold((zero, 0), |(spent, hashes), t| {
                let (before, after, n) = t.join().unwrap();
                (spent.plus(after.since(before)), hashes + n)
            });
        spent.per_op(hashes)
    }
}

#[derive(Clone, Copy)]
pub enum Outcome {
    Failed,
    SignedIn,
}

/// The server's cost per sign-in, and the raw hash's measured in the same rounds.
pub struct Row {
    pub server: Cost,
    pub raw: Cost,
}

/// Measures the server's CPU for password POSTs alone: the form is fetched once beforehand,
/// and its CSRF token serves every attempt.
pub struct SignInCpu<'a> {
    pub client: &'a Client,
    pub base: &'a str,
    pub token: &'a str,
    pub server: u32,
    /// Parallel clients, and as many raw hashing threads.
    pub clients: usize,
    /// The raw hash the server is compared with.
    pub raw_hash: fn(),
}

impl SignInCpu<'_> {
    /// About `ATTEMPTS` sign-ins, in rounds that alternate with as many raw hashes. The
    /// server is idle while this process hashes, so its counters, read once before the first
    /// round and once after the last, hold the sign-ins.
    pub async fn measure(&self, outcome: Outcome, tag: &str) -> Row {
        let per_client = (ATTEMPTS / ROUNDS / self.clients).max(1);
        let raw = Hashers::start(self.clients, self.raw_hash);
        let stat = format!("/proc/{}/stat", self.server);
        let before = Counters::read(&stat);
        for round in 0..ROUNDS {
            self.sign_ins(outcome, &format!("{tag}{round}"), per_client)
                .await;
            raw.hash(per_client);
        }
        let sign_ins = ROUNDS * per_client * self.clients;
        let server = Counters::read(&stat).since(before).per_op(sign_ins);
        Row {
            server,
            raw: raw.finish(),
        }
    }

    /// `per_client` sign-ins from each client. A failed one names an account that does not
    /// exist (a new address each time, so no throttle refuses it before the password check):
    /// the server checks the dummy hash, the same work as for a wrong password.
    async fn sign_ins(&self, outcome: Outcome, tag: &str, per_client: usize) {
        let workers: Vec<_> = (0..self.clients)
            .map(|c| {
                let (client, token) = (self.client.clone(), self.token.to_owned());
                let url = format!("{}/login/password", self.base);
                let tag = tag.to_owned();
                tokio::spawn(async move {
                    for i in 0..per_client {
                        let stranger = format!("nobody-{tag}-{c}-{i}@example.com");
                        let (email, expected) = match outcome {
                            Outcome::Failed => (stranger.as_str(), StatusCode::UNAUTHORIZED),
                            Outcome::SignedIn => (EMAIL, StatusCode::SEE_OTHER),
                        };
                        let fields = [("email", email), ("password", PASSWORD)];
                        let res = post(&client, &url, &token, &fields).await;
                        assert_eq!(res.status(), expected, "unexpected sign-in answer");
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.await.unwrap();
        }
    }
}
