-- Organizations, their memberships and connections, invitations and the audit log.

CREATE TABLE organizations (
    id                 TEXT PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    membership_mode    TEXT NOT NULL CHECK (membership_mode IN ('isolated', 'shared')),
    -- The password connection its users sign in with: its own (isolated) or the shared one.
    connection_id      TEXT NOT NULL REFERENCES connections (id),
    suspended_at       BIGINT,
    suspended_reason   TEXT,
    allow_self_signup  BIGINT NOT NULL DEFAULT 0,
    logo_url           TEXT,
    primary_color      TEXT,
    created_at         BIGINT NOT NULL
);
-- Keyset pagination of the operator's list goes by name, then id.
CREATE INDEX organizations_by_name ON organizations (name, id);

-- Connections an organization may use beyond its password connection (enterprise SSO,
-- legacy stores); a dedicated connection names the one organization that owns it.
CREATE TABLE organization_connections (
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id    TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, connection_id)
);

CREATE TABLE memberships (
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);
-- Keyset pagination of an organization's members goes by join time, then user id.
CREATE INDEX memberships_by_org_time ON memberships (organization_id, created_at, user_id);

CREATE TABLE invitations (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email            TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    inviter_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    expires_at       BIGINT NOT NULL,
    accepted_at      BIGINT,
    revoked_at       BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX invitations_by_org ON invitations (organization_id, created_at);

CREATE TABLE audit_events (
    id               TEXT PRIMARY KEY,
    occurred_at      BIGINT NOT NULL,
    actor_id         TEXT REFERENCES users (id) ON DELETE SET NULL,
    actor_email      TEXT,
    action           TEXT NOT NULL,
    organization_id  TEXT REFERENCES organizations (id) ON DELETE SET NULL,
    subject          TEXT NOT NULL,
    client_ip        TEXT
);
-- Newest first; ids are UUIDv7, so they sort by time too.
CREATE INDEX audit_events_by_time ON audit_events (id);

-- The organization a user chose last, offered first by the picker.
ALTER TABLE users ADD COLUMN last_organization_id TEXT REFERENCES organizations (id) ON DELETE SET NULL;
