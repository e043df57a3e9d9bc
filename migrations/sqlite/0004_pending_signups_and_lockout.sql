-- Sign-ups waiting for their email to be verified. Until then nothing of them exists: no
-- account, no organization, no membership. Each keeps the password typed with it, bound to its
-- own link and to the browser that made it.
CREATE TABLE signups (
    id               TEXT PRIMARY KEY,
    connection_id    TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    email            TEXT NOT NULL,
    name             TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    browser_hash     TEXT NOT NULL,
    -- What verifying creates besides the account: nothing, a membership, or a new organization.
    intent           TEXT NOT NULL CHECK (intent IN ('account', 'join', 'found')),
    organization_id  TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    org_name         TEXT,
    org_slug         TEXT,
    client_ip        TEXT NOT NULL,
    expires_at       BIGINT NOT NULL,
    used_at          BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX signups_by_address ON signups (connection_id, email);

-- Accounts registered before sign-ups were kept apart were rows of unverified users, with a
-- password typed by whoever registered the address. Nobody proved those mailboxes: the rows
-- go, and with them their links and memberships. Their owners sign up again.
DELETE FROM users WHERE email_verified_at IS NULL AND operator_since IS NULL;
UPDATE email_tokens SET used_at = created_at WHERE purpose = 'verify_email' AND used_at IS NULL;
-- Organizations founded by such a sign-up (an anonymous founder, no verified member left)
-- held their slugs for nobody.
DELETE FROM organizations
WHERE member_count = 0
  AND id IN (SELECT organization_id FROM audit_events
             WHERE action = 'organization.created' AND actor_id IS NULL
               AND actor_email IS NOT NULL);

-- Consecutive failed sign-ins per account, from every address together (each attempt is
-- counted as it starts; a successful sign-in clears the row).
CREATE TABLE account_sign_in_failures (
    identifier  TEXT PRIMARY KEY,
    failures    BIGINT NOT NULL,
    locked_at   BIGINT,
    updated_at  BIGINT NOT NULL
);

-- Browsers that signed in to an account before: they may go on signing in while it is locked.
CREATE TABLE known_browsers (
    identifier    TEXT NOT NULL,
    browser_hash  TEXT NOT NULL,
    -- Failed attempts while the account is locked; too many and the browser is forgotten.
    failures      BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (identifier, browser_hash)
);
