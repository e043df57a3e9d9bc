//! Logs a deployment can read: no colour codes when stderr is not a terminal, and one JSON
//! object a line with `USHER_LOG_FORMAT=json`.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Starts the real binary on a fresh data dir and returns its first `n` log lines.
fn first_log_lines(format: Option<&str>, n: usize) -> Vec<String> {
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_usher"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("USHER_LISTEN", "127.0.0.1:0")
        .env("USHER_DATA_DIR", data.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if crate::helpers::on_postgres() {
        // The log does not depend on the backend; SQLite keeps this test self-contained.
        command.env_remove("DATABASE_URL");
    }
    if let Some(format) = format {
        command.env("USHER_LOG_FORMAT", format);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let lines: Vec<String> = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .filter(|line| {
            !line.starts_with("Usher is listening") && !line.starts_with("Create the first")
        })
        .take(n)
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    lines
}

#[test]
fn a_redirected_log_has_no_colour_codes() {
    let lines = first_log_lines(None, 3);
    assert_eq!(lines.len(), 3, "{lines:?}");
    for line in &lines {
        assert!(!line.contains('\u{1b}'), "escape code in {line:?}");
    }
}

#[test]
fn the_json_log_format_writes_one_object_a_line() {
    let lines = first_log_lines(Some("json"), 3);
    assert_eq!(lines.len(), 3, "{lines:?}");
    for line in &lines {
        let object: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|err| {
            panic!("not JSON ({err}): {line}");
        });
        assert!(
            object["level"].is_string() && object["fields"].is_object(),
            "{line}"
        );
    }
}
