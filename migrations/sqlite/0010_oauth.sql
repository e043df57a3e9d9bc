-- The OpenID Provider's flows. Everything lives here, not in one instance's memory: any
-- instance can finish a flow another started.

-- An authorization request waiting for the person to sign in or pick an organization. Its id
-- travels in the browser session; the parameters were checked before it was stored.
CREATE TABLE authorization_requests (
    id                     TEXT PRIMARY KEY,
    client_id              TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
    redirect_uri           TEXT NOT NULL,
    scope                  TEXT NOT NULL,
    state                  TEXT,
    nonce                  TEXT,
    code_challenge         TEXT,
    organization_id        TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    -- A sign-in at or after this time satisfies the request (prompt=login, max_age).
    login_after            BIGINT,
    created_at             BIGINT NOT NULL,
    expires_at             BIGINT NOT NULL
);

-- Authorization codes, as SHA-256. Single use: `used_at` is set by the one exchange that wins.
CREATE TABLE authorization_codes (
    code_hash              TEXT PRIMARY KEY,
    client_id              TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
    user_id                TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id        TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    redirect_uri           TEXT NOT NULL,
    scope                  TEXT NOT NULL,
    nonce                  TEXT,
    code_challenge         TEXT,
    -- The browser session the code was issued in (the ID token's `sid`).
    sid                    TEXT NOT NULL,
    auth_time              BIGINT NOT NULL,
    created_at             BIGINT NOT NULL,
    expires_at             BIGINT NOT NULL,
    used_at                BIGINT
);
CREATE INDEX authorization_codes_by_sid ON authorization_codes (sid);

-- Refresh tokens, as SHA-256. Each use replaces the token with a new one of the same family
-- (`rotated_at` marks the used one); presenting a rotated token revokes the whole family.
CREATE TABLE refresh_tokens (
    token_hash             TEXT PRIMARY KEY,
    -- The authorization code the family grew from.
    family                 TEXT NOT NULL,
    client_id              TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
    user_id                TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id        TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    scope                  TEXT NOT NULL,
    sid                    TEXT NOT NULL,
    auth_time              BIGINT NOT NULL,
    created_at             BIGINT NOT NULL,
    expires_at             BIGINT NOT NULL,
    rotated_at             BIGINT,
    revoked_at             BIGINT
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_by_member ON refresh_tokens (user_id, organization_id);
CREATE INDEX refresh_tokens_by_sid ON refresh_tokens (sid);
