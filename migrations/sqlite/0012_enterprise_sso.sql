-- Organizations' own OpenID Connect identity providers, the people who sign in through them,
-- and the sign-ins in flight between Usher and an identity provider.

-- The settings of an `oidc` connection; its row in `connections` names it and its kind.
CREATE TABLE oidc_connections (
    connection_id        TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    -- The one organization whose people sign in through it, and whose memberships it grants.
    organization_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- What the sign-in button says: "Sign in with <display_name>".
    display_name         TEXT NOT NULL,
    issuer               TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    -- Sealed with the secret key, bound to the connection.
    client_secret        TEXT NOT NULL,
    scopes               TEXT NOT NULL,
    -- Which claims carry the profile (JSON object: email, name, given_name, family_name,
    -- groups) and which groups grant which role (JSON array of {group, role}, first match wins).
    claim_map            TEXT NOT NULL,
    role_rules           TEXT NOT NULL,
    default_role         TEXT NOT NULL CHECK (default_role IN ('owner', 'admin', 'member')),
    create_users         BIGINT NOT NULL,
    update_every_sign_in BIGINT NOT NULL,
    enforce_sso          BIGINT NOT NULL,
    -- The role of who last changed it: an existing account of a higher role in the
    -- organization is never linked to it (an admin's provider cannot take an owner's account).
    managed_by_role      TEXT NOT NULL CHECK (managed_by_role IN ('owner', 'admin', 'member')),
    enabled              BIGINT NOT NULL,
    -- The provider's discovery document and key set as last fetched.
    metadata             TEXT NOT NULL,
    jwks                 TEXT NOT NULL,
    jwks_fetched_at      BIGINT NOT NULL,
    -- When a sign-in last fetched the key set again for a key it lacked (at most once a minute).
    jwks_refetched_at    BIGINT,
    last_success_at      BIGINT,
    last_error_at        BIGINT,
    last_error           TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX oidc_connections_by_org ON oidc_connections (organization_id);

-- A person as an identity provider knows them: keyed on its `sub`, never on an email.
CREATE TABLE external_identities (
    connection_id    TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    subject          TEXT NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at       BIGINT NOT NULL,
    last_sign_in_at  BIGINT NOT NULL,
    PRIMARY KEY (connection_id, subject)
);
CREATE INDEX external_identities_by_user ON external_identities (user_id);
CREATE INDEX external_identities_by_recency ON external_identities (connection_id, last_sign_in_at);

-- A sign-in sent to an identity provider and not back yet. The browser holds a cookie naming
-- it (`browser_hash` is the SHA-256 of its value); the state, nonce and PKCE verifier stay here.
CREATE TABLE sso_flows (
    state            TEXT PRIMARY KEY,
    browser_hash     TEXT NOT NULL,
    connection_id    TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    nonce            TEXT NOT NULL,
    pkce_verifier    TEXT NOT NULL,
    return_to        TEXT NOT NULL,
    -- A test sign-in run by an admin: shows what would happen, creates nothing.
    test_by          TEXT REFERENCES users (id) ON DELETE CASCADE,
    expires_at       BIGINT NOT NULL
);
CREATE INDEX sso_flows_by_expiry ON sso_flows (expires_at);

-- Which Usher sign-ins came through which identity provider session, so that the provider's
-- back-channel logout ends them.
CREATE TABLE sso_sign_ins (
    sid              TEXT PRIMARY KEY,
    connection_id    TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    subject          TEXT NOT NULL,
    idp_sid          TEXT,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The provider's ID token, the `id_token_hint` of signing out there too.
    id_token         TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX sso_sign_ins_by_subject ON sso_sign_ins (connection_id, subject);
CREATE INDEX sso_sign_ins_by_idp_sid ON sso_sign_ins (connection_id, idp_sid);

-- The sign-in (`sid`) a session holds, beside its user, so that one sign-in can be ended.
ALTER TABLE sessions ADD COLUMN sid TEXT;
CREATE INDEX sessions_by_sid ON sessions (sid);
