#!/usr/bin/env bash
# Builds the release binary, starts it on a fresh SQLite data dir, registers two confidential
# applications (RS256 and ES256) and prints the OpenID Provider's figures (see
# examples/bench_tokens/): a whole sign-in's server CPU beside an argon2id hash, and the token
# grants' rates and costs.
# Usage: scripts/bench-tokens.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
target="${CARGO_TARGET_DIR:-target}"

cargo build --release --locked --bin usher --example bench_tokens

data="$(mktemp -d)"
chmod 700 "$data"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# Every sign-in comes from 127.0.0.1: lift the per-IP limit on auth POSTs for the run.
export USHER_DATA_DIR="$data" RUST_LOG=warn USHER_AUTH_RATE_LIMIT=100000
USHER_LISTEN="127.0.0.1:$port" "$target/release/usher" serve >"$data/usher.log" 2>&1 &
usher_pid=$!
trap 'kill "$usher_pid" 2>/dev/null; wait "$usher_pid" 2>/dev/null; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
# The one-time link that creates the first operator: the account the benchmark signs in as.
setup_link="$(sed -n 's/^Create the first platform operator (one-time link): //p' "$data/usher.log")"

app="$("$target/release/usher" apps create --name Bench --redirect-uri http://127.0.0.1/cb)"
read -r client_id client_secret < <(python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["client_id"], a["client_secret"])' <<<"$app")
app="$("$target/release/usher" apps create --name "Bench ES256" --redirect-uri http://127.0.0.1/cb --signing-alg ES256)"
read -r es_id es_secret < <(python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["client_id"], a["client_secret"])' <<<"$app")

"$target/release/examples/bench_tokens" "http://127.0.0.1:$port" "$usher_pid" "$seconds" \
  "$client_id" "$client_secret" "$setup_link" "$es_id" "$es_secret"
