-- Legacy identity stores (a `legacy` connection's settings), and imports that read one.

CREATE TABLE legacy_connections (
    connection_id    TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    backend          TEXT NOT NULL CHECK (backend IN ('sql', 'http')),
    mode             TEXT NOT NULL CHECK (mode IN ('proxy', 'migrate')),
    -- What the address is, for the pages (which never show the address itself):
    -- `postgres`, `mysql` or `sqlite` for a database, `http` or `https` for an endpoint.
    dialect          TEXT NOT NULL,
    -- The database URL or the endpoint URL, sealed with the secret key.
    address          TEXT NOT NULL,
    -- The endpoint's bearer token, sealed; none for a database.
    token            TEXT,
    -- The SELECT of one user by email, and the keyset-paged SELECT of all users.
    lookup_query     TEXT,
    all_users_query  TEXT,
    -- How the store's ids compare (`integer` or `text`), as the check of the queries found.
    id_type          TEXT NOT NULL DEFAULT 'text' CHECK (id_type IN ('integer', 'text')),
    -- One more at every change: this instance's pool and circuit breaker follow it.
    version          BIGINT NOT NULL DEFAULT 1,
    -- The last time a sign-in could not ask it, and why (for the operator; never the address).
    last_error       TEXT,
    last_error_at    BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_format_check;
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_format_check
    CHECK (format IN ('json', 'ndjson', 'csv', 'legacy'));
-- The legacy store read ("import the rest"), and the last of its ids imported.
ALTER TABLE import_jobs ADD COLUMN source_connection_id TEXT
    REFERENCES connections (id) ON DELETE CASCADE;
ALTER TABLE import_jobs ADD COLUMN cursor TEXT;
-- One import of the rest at a time per legacy store.
CREATE UNIQUE INDEX import_jobs_one_running_per_source ON import_jobs (source_connection_id)
    WHERE status IN ('queued', 'running');

-- `proxy`: a user whose password stays in the legacy store, checked there at every sign-in.
ALTER TABLE user_migrations DROP CONSTRAINT user_migrations_how_check;
ALTER TABLE user_migrations ADD CONSTRAINT user_migrations_how_check
    CHECK (how IN ('import', 'sign_in', 'proxy'));
CREATE INDEX user_migrations_by_legacy_id ON user_migrations (connection_id, legacy_id);
