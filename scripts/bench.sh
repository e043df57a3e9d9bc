#!/usr/bin/env bash
# Builds the release binary, starts it on a fresh SQLite data dir, seeds a verified user and
# prints the benchmark figures (see examples/bench/). Usage: scripts/bench.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
target="${CARGO_TARGET_DIR:-target}"

cargo build --release --locked --bin usher --example bench

data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# A simple command started with & is the usher process itself, so $! is the pid whose CPU
# time the benchmark reads.
USHER_DATA_DIR="$data" USHER_LISTEN="127.0.0.1:$port" USHER_AUTH_RATE_LIMIT=0 RUST_LOG=warn \
  "$target/release/usher" serve >"$data/usher.log" 2>&1 &
usher_pid=$!
trap 'kill "$usher_pid" 2>/dev/null; wait "$usher_pid" 2>/dev/null; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

"$target/release/examples/bench" "http://127.0.0.1:$port" "$usher_pid" "$seconds"
