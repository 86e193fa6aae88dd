-- The stop state of each job this worker heard of on job.events: paused, cancelled or resumed.
-- Every event of one job is on one partition, so its offset orders them: an older event never
-- overwrites a newer one. A worker started later reads this table before it starts a chunk.
CREATE TABLE job_stop_states (
  tenant_id    TEXT        NOT NULL,
  job_id       TEXT        NOT NULL,
  state        TEXT        NOT NULL CHECK (state IN ('paused', 'cancelled', 'resumed')),
  event_offset BIGINT      NOT NULL,
  occurred_at  TIMESTAMPTZ NOT NULL,
  recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, job_id)
);

-- The fencing token of each extract run: the attempt that took the lease last holds the largest
-- token, and only its writes commit (the write transaction locks this row and compares tokens).
CREATE SEQUENCE run_lease_tokens;

CREATE TABLE run_leases (
  run_id     TEXT        PRIMARY KEY,
  token      BIGINT      NOT NULL,
  attempt_id UUID        NOT NULL,
  taken_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
