-- Bulk imports of users from files (and, later, from legacy stores), and how each user came
-- over from another system.

CREATE TABLE import_jobs (
    id                TEXT PRIMARY KEY,
    connection_id     TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    -- Everyone imported joins this organization with this role, when set.
    organization_id   TEXT REFERENCES organizations (id) ON DELETE SET NULL,
    role              TEXT CHECK (role IN ('owner', 'admin', 'member')),
    format            TEXT NOT NULL CHECK (format IN ('json', 'ndjson', 'csv')),
    -- The file, read where it lies; `file_size` for the progress bar.
    file_path         TEXT NOT NULL,
    file_size         BIGINT NOT NULL,
    update_existing   BIGINT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    -- How far the import has got: the byte after the last row imported, and its line.
    position          BIGINT NOT NULL DEFAULT 0,
    line              BIGINT NOT NULL DEFAULT 0,
    created           BIGINT NOT NULL DEFAULT 0,
    updated           BIGINT NOT NULL DEFAULT 0,
    skipped           BIGINT NOT NULL DEFAULT 0,
    failed            BIGINT NOT NULL DEFAULT 0,
    error             TEXT,
    created_by        TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    started_at        BIGINT,
    finished_at       BIGINT
);
CREATE INDEX import_jobs_by_time ON import_jobs (created_at);

-- The rows an import could not take, with a reason in plain words.
-- A row is known by the byte after it (a minified JSON file has every row on line 1).
CREATE TABLE import_failures (
    import_id  TEXT NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    line       BIGINT NOT NULL,
    email      TEXT,
    reason     TEXT NOT NULL,
    PRIMARY KEY (import_id, position)
);

-- How a user came over from another system: imported in bulk, or at their first sign-in.
CREATE TABLE user_migrations (
    user_id        TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    how            TEXT NOT NULL CHECK (how IN ('import', 'sign_in')),
    import_id      TEXT REFERENCES import_jobs (id) ON DELETE SET NULL,
    -- The user's id in the system they came from.
    legacy_id      TEXT,
    migrated_at    BIGINT NOT NULL
);
CREATE INDEX user_migrations_by_connection ON user_migrations (connection_id, migrated_at);
CREATE INDEX user_migrations_by_import ON user_migrations (import_id);
