-- The organization admin portal: who may join, how long invitations last, structured audit
-- events, member search, and the domains an organization verifies.

-- Who may join without an invitation: 'invitation' (nobody), 'verified_domain' (anyone with a
-- verified address at one of the organization's verified domains) or 'anyone'.
ALTER TABLE organizations ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'invitation'
    CHECK (join_policy IN ('invitation', 'verified_domain', 'anyone'));
UPDATE organizations SET join_policy = 'anyone' WHERE allow_self_signup <> 0;
ALTER TABLE organizations DROP COLUMN allow_self_signup;
ALTER TABLE organizations ADD COLUMN invitation_days BIGINT NOT NULL DEFAULT 7;

-- Audit events name what they were done to, and carry their details as JSON.
ALTER TABLE audit_events ADD COLUMN target_kind TEXT;
ALTER TABLE audit_events ADD COLUMN target_id TEXT;
ALTER TABLE audit_events ADD COLUMN details TEXT;
CREATE INDEX audit_events_by_org ON audit_events (organization_id, id);

-- Member search by email or name prefix within one organization, without scanning its
-- members: the member's email and lower-cased name are kept beside the membership (the store
-- writes them with the membership and whenever the name changes). Byte
-- order (SQLite's default collation), so that a prefix is a range.
ALTER TABLE memberships ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE memberships SET
    email = (SELECT u.email FROM users u WHERE u.id = memberships.user_id),
    name_key = (SELECT LOWER(u.name) FROM users u WHERE u.id = memberships.user_id);
CREATE INDEX memberships_by_org_email ON memberships (organization_id, email, user_id);
CREATE INDEX memberships_by_org_name ON memberships (organization_id, name_key, user_id);

-- Domains an organization claims; one verified by DNS TXT record belongs to it alone.
CREATE TABLE domains (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    verification_token  TEXT NOT NULL,
    verified_at         BIGINT,
    last_checked_at     BIGINT,
    last_error          TEXT,
    created_at          BIGINT NOT NULL,
    UNIQUE (organization_id, name)
);
CREATE UNIQUE INDEX domains_verified_once ON domains (name) WHERE verified_at IS NOT NULL;
