-- no-transaction
-- Legacy identity stores (a `legacy` connection's settings), and imports that read one.
-- SQLite cannot change a CHECK in place: the two tables whose CHECKs widen are rebuilt, with
-- foreign keys off so that dropping the old table takes nothing with it.
PRAGMA foreign_keys = OFF;
BEGIN;

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

CREATE TABLE import_jobs_new (
    id                    TEXT PRIMARY KEY,
    connection_id         TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    organization_id       TEXT REFERENCES organizations (id) ON DELETE SET NULL,
    role                  TEXT CHECK (role IN ('owner', 'admin', 'member')),
    format                TEXT NOT NULL CHECK (format IN ('json', 'ndjson', 'csv', 'legacy')),
    -- Empty for an import from a legacy store.
    file_path             TEXT NOT NULL,
    file_size             BIGINT NOT NULL,
    update_existing       BIGINT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    position              BIGINT NOT NULL DEFAULT 0,
    line                  BIGINT NOT NULL DEFAULT 0,
    created               BIGINT NOT NULL DEFAULT 0,
    updated               BIGINT NOT NULL DEFAULT 0,
    skipped               BIGINT NOT NULL DEFAULT 0,
    failed                BIGINT NOT NULL DEFAULT 0,
    error                 TEXT,
    created_by            TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at            BIGINT NOT NULL,
    started_at            BIGINT,
    finished_at           BIGINT,
    -- The legacy store read ("import the rest"), and the last of its ids imported.
    source_connection_id  TEXT REFERENCES connections (id) ON DELETE CASCADE,
    cursor                TEXT
);
INSERT INTO import_jobs_new (id, connection_id, organization_id, role, format, file_path,
    file_size, update_existing, status, position, line, created, updated, skipped, failed, error,
    created_by, created_at, started_at, finished_at)
SELECT id, connection_id, organization_id, role, format, file_path, file_size, update_existing,
    status, position, line, created, updated, skipped, failed, error, created_by, created_at,
    started_at, finished_at
FROM import_jobs;
DROP TABLE import_jobs;
ALTER TABLE import_jobs_new RENAME TO import_jobs;
CREATE INDEX import_jobs_by_time ON import_jobs (created_at);
-- One import of the rest at a time per legacy store.
CREATE UNIQUE INDEX import_jobs_one_running_per_source ON import_jobs (source_connection_id)
    WHERE status IN ('queued', 'running');

-- `proxy`: a user whose password stays in the legacy store, checked there at every sign-in.
CREATE TABLE user_migrations_new (
    user_id        TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    how            TEXT NOT NULL CHECK (how IN ('import', 'sign_in', 'proxy')),
    import_id      TEXT REFERENCES import_jobs (id) ON DELETE SET NULL,
    legacy_id      TEXT,
    migrated_at    BIGINT NOT NULL
);
INSERT INTO user_migrations_new SELECT user_id, connection_id, how, import_id, legacy_id,
    migrated_at FROM user_migrations;
DROP TABLE user_migrations;
ALTER TABLE user_migrations_new RENAME TO user_migrations;
CREATE INDEX user_migrations_by_connection ON user_migrations (connection_id, migrated_at);
CREATE INDEX user_migrations_by_import ON user_migrations (import_id);
CREATE INDEX user_migrations_by_legacy_id ON user_migrations (connection_id, legacy_id);

COMMIT;
PRAGMA foreign_keys = ON;
