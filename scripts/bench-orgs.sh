#!/usr/bin/env bash
# Seeds 10,000 organizations and 100,000 members and prints the latency of the organization
# and member list pages (see examples/org_lists_bench.rs). Usage: scripts/bench-orgs.sh [DATABASE_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --example org_lists_bench
target/release/examples/org_lists_bench "$@"
