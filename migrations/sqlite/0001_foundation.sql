-- Ids are UUIDv7 text, times are Unix seconds (UTC), flags are nullable timestamps.

CREATE TABLE connections (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('password', 'oidc', 'legacy')),
    created_at  BIGINT NOT NULL
);

-- The shared password connection every deployment starts with.
INSERT INTO connections (id, name, kind, created_at)
VALUES ('00000000-0000-7000-8000-000000000001', 'default', 'password', 0);

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    connection_id      TEXT NOT NULL REFERENCES connections (id),
    email              TEXT NOT NULL,
    name               TEXT NOT NULL,
    password_hash      TEXT,
    email_verified_at  BIGINT,
    operator_since     BIGINT,
    blocked_at         BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (connection_id, email)
);

CREATE TABLE sessions (
    key_hash    TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users (id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE email_tokens (
    token_hash  TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL,
    user_id     TEXT REFERENCES users (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX email_tokens_by_user ON email_tokens (user_id, purpose);

CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    claimed_until    BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;

-- One-minute windows of requests per bucket (e.g. auth POSTs from one client IP).
CREATE TABLE rate_limits (
    bucket        TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- Failed sign-ins per (account identifier, client IP): the backoff an attacker earns from one
-- address does not lock the real user out from another.
CREATE TABLE sign_in_failures (
    identifier    TEXT NOT NULL,
    client_ip     TEXT NOT NULL,
    failures      BIGINT NOT NULL,
    locked_until  BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (identifier, client_ip)
);
