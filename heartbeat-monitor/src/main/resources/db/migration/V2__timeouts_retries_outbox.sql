-- Timeouts, retries and the outbox (ARCHITECTURE §4). A run now ends as completed or exhausted,
-- or waits for its retry; an attempt that timed out keeps the diagnosis the reaper measured.
ALTER TABLE runs DROP CONSTRAINT runs_state_check;
ALTER TABLE runs ADD CONSTRAINT runs_state_check
  CHECK (state IN ('running', 'completed', 'failed', 'retry_pending', 'exhausted'));
ALTER TABLE runs ADD COLUMN last_error_type TEXT;
ALTER TABLE runs ADD COLUMN last_error_message TEXT;

ALTER TABLE attempts ADD COLUMN timeout_rule TEXT;
-- The TimeoutDiagnosis as published in RunTimedOut (JSON), for the status API and operators.
ALTER TABLE attempts ADD COLUMN timeout_diagnosis TEXT;

-- The reaper's scan: running attempts, oldest heartbeat first.
CREATE INDEX attempts_running_by_heartbeat ON attempts (last_heartbeat_at) WHERE state = 'running';

CREATE TABLE retries (
  run_id         TEXT        NOT NULL REFERENCES runs (run_id),
  attempt_number INT         NOT NULL,
  retry_of       UUID        NOT NULL REFERENCES attempts (attempt_id),
  due_at         TIMESTAMPTZ NOT NULL,
  reason         TEXT        NOT NULL,
  state          TEXT        NOT NULL CHECK (state IN ('pending', 'published', 'cancelled')),
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, attempt_number)
);

-- Retry dedup kept by the database: at most one pending retry per run, whatever replica decided.
CREATE UNIQUE INDEX retries_one_pending_per_run ON retries (run_id) WHERE state = 'pending';
CREATE INDEX retries_pending_by_due ON retries (due_at) WHERE state = 'pending';

-- Events decided in the same commit as the ledger change they describe; the relay publishes them
-- in id order and deletes each row once Kafka acknowledged it.
CREATE TABLE outbox (
  id         BIGSERIAL PRIMARY KEY,
  topic      TEXT        NOT NULL,
  record_key TEXT        NOT NULL,
  payload    TEXT        NOT NULL,
  -- Kafka headers as a JSON object of strings, or null.
  headers    TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
