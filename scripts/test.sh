#!/usr/bin/env bash
# Runs every test suite of Usher: Rust tests on SQLite, the same on PostgreSQL (with legacy
# stores on SQLite, PostgreSQL and MariaDB), and the browser journeys in Chromium against the
# built binary and a real SMTP server.
# Installs what the suites need on a fresh Debian machine (Chromium, aiosmtpd, dnslib, npm
# packages).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

install_prerequisites() {
  if [ ! -x /usr/bin/chromium ]; then
    step "Installing Debian's Chromium for the browser suite"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
  fi
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    step "Installing aiosmtpd (the SMTP server the tests deliver to)"
    python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
  fi
  if ! python3 -c 'import dnslib' 2>/dev/null; then
    step "Installing dnslib (the DNS server the domain verification tests publish records on)"
    python3 -m pip install --quiet --disable-pip-version-check dnslib
  fi
  step "Installing the browser suite's npm packages, and the example relying party's"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  (cd examples/relying-party && npm ci --no-audit --no-fund --loglevel=error)
}

postgres_url="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

postgres_reachable() {
  command -v psql >/dev/null && psql "$postgres_url" -Atqc 'SELECT 1' >/dev/null 2>&1
}

ensure_postgres() {
  postgres_reachable && return 0
  # The machines' local server may simply be stopped.
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do postgres_reachable && return 0; sleep 0.5; done
  fi
  return 1
}

mariadb_url="${TEST_MARIADB_URL:-mysql://root@127.0.0.1:3306/test}"

mariadb_reachable() {
  command -v mariadb >/dev/null && mariadb -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1' test >/dev/null 2>&1
}

ensure_mariadb() {
  mariadb_reachable && return 0
  # The machines' local server may simply be stopped.
  if command -v service >/dev/null && [ -x /etc/init.d/mariadb ]; then
    service mariadb start >/dev/null 2>&1 || true
    for _ in $(seq 1 20); do mariadb_reachable && return 0; sleep 0.5; done
  fi
  return 1
}

loudly() {
  printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n'
  printf '!!! %s\n' "$@"
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n'
}

install_prerequisites

# MariaDB is the MySQL-family legacy store of the migration tests (both Rust runs).
if ensure_mariadb; then
  mariadb_ran=yes
  export TEST_MARIADB_URL="$mariadb_url"
else
  mariadb_ran=no
  loudly "MariaDB is not reachable at $mariadb_url" \
    "The MariaDB legacy store test will say it did not run. Set TEST_MARIADB_URL."
  if [ -n "${CI:-}" ]; then echo "CI must run the MariaDB legacy store test; failing."; exit 1; fi
fi

step "Formatting and lints (cargo fmt --check, cargo clippy -D warnings)"
cargo fmt --all --check
cargo clippy --locked --all-targets -- -D warnings

step "Building (once; every suite below uses this build)"
cargo build --tests --bins --locked

step "Rust tests on SQLite"
TEST_DATABASE=sqlite cargo test --locked

if ensure_postgres; then
  step "Rust tests on PostgreSQL ($postgres_url)"
  TEST_DATABASE=postgres TEST_POSTGRES_URL="$postgres_url" cargo test --locked --test api
  postgres_ran=yes
else
  postgres_ran=no
  loudly "PostgreSQL is not reachable at $postgres_url" \
    "SKIPPED the PostgreSQL run of the Rust tests (and the legacy store browser journey). Set TEST_POSTGRES_URL."
  if [ -n "${CI:-}" ]; then echo "CI must run PostgreSQL tests; failing."; exit 1; fi
fi

step "Browser suite (Chromium, axe-core, aiosmtpd)"
(cd tests/e2e && USHER_BIN="$PWD/../../target/debug/usher" npm test)

step "Done. Backends tested: SQLite yes, PostgreSQL $postgres_ran; legacy stores on MariaDB $mariadb_ran; browser suite yes."
