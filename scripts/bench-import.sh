#!/usr/bin/env bash
# Builds the release binary and imports a generated file of pre-hashed users (bcrypt hashes,
# no rehash at import) with `usher import`, on a fresh SQLite database and, when reachable, a
# fresh PostgreSQL database; prints users per second and the import's peak memory (RSS).
# Usage: scripts/bench-import.sh [USERS] [POSTGRES_URL]
# USHER_BIN=path runs that binary instead of building this checkout's (to compare two builds).
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-1000000}"
postgres_url="${2:-${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
target="${CARGO_TARGET_DIR:-target}"

if [ -n "${USHER_BIN:-}" ]; then
  usher="$USHER_BIN"
else
  cargo build --release --locked --bin usher
  usher="$target/release/usher"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
file="$work/users.ndjson"
python3 - "$users" "$file" <<'PY'
import json, sys
count, path = int(sys.argv[1]), sys.argv[2]
# One bcrypt hash for everyone: the import stores hashes as they are, it never computes one.
hash_ = "$2b$04$a4LXzhauaCjwwSemNYAYvOuWSBIhYLueIiNXwqOoZgDLuCc0D9rvK"
with open(path, "w") as out:
    for i in range(count):
        out.write(json.dumps({"email": f"user{i}@example.com", "email_verified": True,
                              "name": f"User {i}", "user_id": f"legacy|{i}",
                              "password_hash": hash_}) + "\n")
PY
printf 'file: %s users, %s MB\n' "$users" "$(( $(stat -c %s "$file") / 1048576 ))"

run() {
  local label="$1" database_url="$2" data="$work/data-$1"
  mkdir -m 700 "$data"
  USHER_DATA_DIR="$data" DATABASE_URL="$database_url" RUST_LOG=warn "$usher" migrate >/dev/null
  local start end
  start=$(date +%s.%N)
  USHER_DATA_DIR="$data" DATABASE_URL="$database_url" RUST_LOG=warn \
    /usr/bin/time -f '%M' -o "$work/rss-$label" "$usher" import "$file" >"$work/out-$label" 2>"$work/err-$label"
  end=$(date +%s.%N)
  python3 - "$label" "$users" "$start" "$end" "$(cat "$work/rss-$label")" "$work/out-$label" <<'PY'
import json, sys
label, users, start, end, rss_kb, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
summary = json.loads(open(out).read().strip().splitlines()[-1])
seconds = end - start
print(f"{label}: {summary['created']} created in {seconds:.1f} s (file check included): "
      f"{users / seconds:,.0f} users/s; peak RSS {rss_kb / 1024:.0f} MB")
PY
}

run sqlite "sqlite://$work/data-sqlite/usher.db?mode=rwc"
if psql "$postgres_url" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  db="usher_bench_import_$$"
  psql "$postgres_url" -qc "CREATE DATABASE $db" >/dev/null
  run postgres "${postgres_url%/*}/$db"
  psql "$postgres_url" -qc "DROP DATABASE $db" >/dev/null
else
  echo "postgres: not reachable at $postgres_url, skipped"
fi
