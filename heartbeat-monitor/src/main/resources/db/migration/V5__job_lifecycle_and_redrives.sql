-- Every job the monitor has heard of on job.events, from JobAccepted on, and where its lifecycle
-- stands: 'active' (someone should be working on it), 'paused', 'cancelled', or 'terminal'
-- (completed, failed or rejected). The liveness check (orphans) reads it; times are the ledger's
-- clock. (The table "jobs" already holds the roll-up decision, made once.)
CREATE TABLE job_lifecycle (
  job_id      UUID PRIMARY KEY,
  tenant_id   TEXT        NOT NULL,
  state       TEXT        NOT NULL CHECK (state IN ('active', 'paused', 'cancelled', 'terminal')),
  accepted_at TIMESTAMPTZ NOT NULL,
  changed_at  TIMESTAMPTZ NOT NULL,
  -- The job's last JobResumed, and the last time the monitor re-drove it (or found nothing to
  -- re-drive): both restart the grace before it counts as orphaned again.
  resumed_at  TIMESTAMPTZ,
  redriven_at TIMESTAMPTZ
);

-- The orphan check reads active jobs only.
CREATE INDEX job_lifecycle_active ON job_lifecycle (accepted_at) WHERE state = 'active';

-- Runs re-driven outside the retry policy: an orphaned job's runs and a resumed job's parked runs.
-- retry_of is absent when the run never had an attempt (a fetch run nothing ever started).
CREATE TABLE redrives (
  id             BIGSERIAL PRIMARY KEY,
  job_id         UUID        NOT NULL,
  run_id         TEXT        NOT NULL,
  lane           TEXT        NOT NULL CHECK (lane IN ('fetch', 'extract')),
  attempt_number INT         NOT NULL,
  retry_of       UUID,
  reason         TEXT        NOT NULL,
  redriven_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX redrives_by_job ON redrives (job_id);
