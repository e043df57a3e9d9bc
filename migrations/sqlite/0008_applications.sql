-- The product's own applications: the OAuth clients of Usher's OpenID Provider.
CREATE TABLE applications (
    id                         TEXT PRIMARY KEY,
    client_id                  TEXT NOT NULL UNIQUE,
    name                       TEXT NOT NULL,
    kind                       TEXT NOT NULL CHECK (kind IN ('confidential', 'public')),
    organizations              TEXT NOT NULL CHECK (organizations IN ('required', 'optional', 'none')),
    -- One URI a line (a parsed URI holds no line break).
    redirect_uris              TEXT NOT NULL,
    post_logout_redirect_uris  TEXT NOT NULL DEFAULT '',
    initiate_login_uri         TEXT,
    created_at                 BIGINT NOT NULL
);

-- A confidential application's secrets, as SHA-256: the current one (expires_at NULL) and,
-- during a rotation, the one it replaced until its grace period ends.
CREATE TABLE client_secrets (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    secret_hash     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT
);
CREATE INDEX client_secrets_by_application ON client_secrets (application_id);
