-- The run ledger: one row per run, one per attempt. Times are the ledger's clock (now() when an
-- event was received), never an executor's clock.
CREATE TABLE runs (
  run_id             TEXT PRIMARY KEY,
  lane               TEXT        NOT NULL CHECK (lane IN ('fetch', 'extract')),
  tenant_id          TEXT        NOT NULL,
  job_id             UUID        NOT NULL,
  state              TEXT        NOT NULL CHECK (state IN ('running', 'completed', 'failed')),
  attempts           INT         NOT NULL DEFAULT 0,
  current_attempt_id UUID,
  chunk_topic        TEXT,
  chunk_partition    INT,
  chunk_offset       BIGINT,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX runs_by_job ON runs (job_id);

CREATE TABLE attempts (
  attempt_id            UUID PRIMARY KEY,
  run_id                TEXT        NOT NULL REFERENCES runs (run_id),
  number                INT         NOT NULL,
  worker_id             TEXT        NOT NULL,
  build_sha             TEXT        NOT NULL,
  heartbeat_interval_ms BIGINT      NOT NULL CHECK (heartbeat_interval_ms >= 0),
  state                 TEXT        NOT NULL
    CHECK (state IN ('running', 'completed', 'failed', 'timed_out', 'superseded', 'fenced')),
  started_at            TIMESTAMPTZ NOT NULL,
  last_heartbeat_at     TIMESTAMPTZ,
  progress_done         BIGINT      NOT NULL DEFAULT 0,
  progress_total        BIGINT,
  progress_phase        TEXT,
  progress_changed_at   TIMESTAMPTZ NOT NULL,
  ended_at              TIMESTAMPTZ,
  error_type            TEXT,
  error_message         TEXT,
  error_stack_trace     TEXT,
  error_retryable       BOOLEAN,
  UNIQUE (run_id, number)
);

-- The invariant "at most one running attempt per run", kept by the database itself.
CREATE UNIQUE INDEX attempts_one_running_per_run ON attempts (run_id) WHERE state = 'running';

-- Event ids already applied: a redelivered event is a no-op.
CREATE TABLE consumed_events (
  event_id    UUID PRIMARY KEY,
  consumed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
