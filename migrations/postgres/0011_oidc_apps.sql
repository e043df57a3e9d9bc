-- What applications choose beyond their URIs, and the sign-ins Usher tells them about.

-- ES256 keys beside the RS256 ones: each generation has one key of each algorithm; of two
-- instances adding the same generation at once, one wins.
ALTER TABLE signing_keys DROP CONSTRAINT signing_keys_generation_key;
ALTER TABLE signing_keys DROP CONSTRAINT signing_keys_algorithm_check;
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_algorithm_check
    CHECK (algorithm IN ('RS256', 'ES256'));
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_algorithm_generation_key
    UNIQUE (algorithm, generation);

-- The algorithm of the application's ID and access tokens.
ALTER TABLE applications ADD COLUMN signing_algorithm TEXT NOT NULL DEFAULT 'RS256'
    CHECK (signing_algorithm IN ('RS256', 'ES256'));
-- Where Usher POSTs OpenID Connect back-channel logout tokens.
ALTER TABLE applications ADD COLUMN backchannel_logout_uri TEXT;
-- The application people land in after accepting an invitation or verifying their email
-- (third-party initiated login), for the whole deployment: at most one.
ALTER TABLE applications ADD COLUMN deployment_default BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX applications_one_deployment_default ON applications (deployment_default)
    WHERE deployment_default = 1;
-- An organization's own landing application, before the deployment's.
ALTER TABLE organizations ADD COLUMN default_application_id TEXT
    REFERENCES applications (id) ON DELETE SET NULL;

-- Which applications each browser sign-in (`sid`) reached, so that they hear when it ends.
CREATE TABLE application_sign_ins (
    sid              TEXT NOT NULL,
    client_id        TEXT NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The organization of its latest code.
    organization_id  TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    last_at          BIGINT NOT NULL,
    PRIMARY KEY (sid, client_id)
);
CREATE INDEX application_sign_ins_by_user ON application_sign_ins (user_id);
