//! A real DNS server for domain verification: Python's dnslib on 127.0.0.1, serving the TXT
//! records a test publishes and removes while it runs (scripts/test.sh installs dnslib).
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};

pub struct DnsServer {
    pub addr: SocketAddr,
    records: PathBuf,
    zone: BTreeMap<String, Vec<String>>,
    _dir: tempfile::TempDir,
    child: Child,
    /// Closing it tells the server to stop, should the test die without dropping this.
    _stdin: ChildStdin,
}

impl DnsServer {
    /// Starts the server and waits until it listens (it prints its port then).
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let records = dir.path().join("records.json");
        std::fs::write(&records, "{}").expect("write records");
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/api/helpers/dns_server.py"
        );
        let mut child = Command::new("python3")
            .arg(script)
            .arg(&records)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("cannot start python3 for the DNS server");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the DNS server's port");
        let port: u16 = line.trim().parse().unwrap_or_else(|_| {
            panic!(
                "the DNS server did not start (is dnslib installed? pip install dnslib): {line:?}"
            )
        });
        let stdin = child.stdin.take().expect("stdin");
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            records,
            zone: BTreeMap::new(),
            _dir: dir,
            child,
            _stdin: stdin,
        }
    }

    /// Publishes one more TXT value at `name` (no final dot); the next query sees it.
    pub fn publish_txt(&mut self, name: &str, value: &str) {
        self.zone
            .entry(format!("{}.", name.to_lowercase()))
            .or_default()
            .push(value.to_owned());
        self.write();
    }

    /// Removes every record at `name`: queries for it answer NXDOMAIN.
    pub fn remove(&mut self, name: &str) {
        self.zone.remove(&format!("{}.", name.to_lowercase()));
        self.write();
    }

    /// Replaced in one rename, so that the server never reads half a file.
    fn write(&self) {
        let next = self.records.with_extension("next");
        std::fs::write(&next, serde_json::to_string(&self.zone).unwrap()).unwrap();
        std::fs::rename(&next, &self.records).unwrap();
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
