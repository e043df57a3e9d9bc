-- The keys Usher signs tokens with. Every instance signs with the same keys: they live here,
-- the private part sealed with a key derived from the deployment's secret key.
CREATE TABLE signing_keys (
    kid              TEXT PRIMARY KEY,
    -- 1 for the first key, one more for each rotation: of two instances adding the same
    -- generation at once, one wins.
    generation       BIGINT NOT NULL UNIQUE,
    algorithm        TEXT NOT NULL CHECK (algorithm IN ('RS256')),
    private_key      TEXT NOT NULL,
    public_jwk       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    signs_from       BIGINT NOT NULL,
    -- NULL while no newer key replaced it; then how long it stays in the JWKS.
    published_until  BIGINT
);
