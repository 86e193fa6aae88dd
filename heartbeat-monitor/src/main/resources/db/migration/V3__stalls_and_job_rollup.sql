-- Stalls and the job roll-up (ARCHITECTURE §4).

-- When the reaper last reported the attempt stalled; a stall is reported again only after its
-- progress moved (progress_changed_at later than stalled_at) and stood still again.
ALTER TABLE attempts ADD COLUMN stalled_at TIMESTAMPTZ;

-- What a completed run reported: chunks published (fetch) and messages fetched or extracted.
ALTER TABLE runs ADD COLUMN chunks INT;
ALTER TABLE runs ADD COLUMN messages BIGINT;

-- The job's end as the ledger decided it, once: the primary key makes JobCompleted / JobFailed a
-- single decision whatever replica or transaction gets there first.
CREATE TABLE jobs (
  job_id        UUID PRIMARY KEY,
  tenant_id     TEXT        NOT NULL,
  state         TEXT        NOT NULL CHECK (state IN ('completed', 'failed')),
  chunks        INT,
  failed_chunks INT,
  messages      BIGINT,
  decided_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
