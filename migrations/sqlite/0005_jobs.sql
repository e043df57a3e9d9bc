-- Background work, run by the job runner of whichever instance claims it first.
-- `claimed_until` is the lease: until then one instance owns the job; after it, an instance
-- that died mid-run has lost it and another may take it. `lease_id` names the claim, so a
-- worker that outlived its lease cannot settle a job another worker now owns.
-- A finished job stays for a while: `finished_at` with no `last_error` is done, with one it
-- was given up. A recurring job has a `dedup_key` and reschedules its own row, so it exists
-- once however many instances start.
CREATE TABLE jobs (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    payload        TEXT NOT NULL,
    dedup_key      TEXT UNIQUE,
    run_at         BIGINT NOT NULL,
    attempts       BIGINT NOT NULL DEFAULT 0,
    claimed_until  BIGINT,
    lease_id       TEXT,
    last_error     TEXT,
    created_at     BIGINT NOT NULL,
    finished_at    BIGINT
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE finished_at IS NULL;
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
