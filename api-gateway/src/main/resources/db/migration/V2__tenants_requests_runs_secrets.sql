-- Tenants and their API keys. A key is shown once when created and only its SHA-256 is kept: keys
-- are 256-bit random tokens, so a fast hash is enough (no dictionary to guess from), and it lets
-- every request find its key with one indexed lookup (docs/decisions/0008-gateway-auth-and-secrets.md).
CREATE TABLE tenants (
  tenant_id  TEXT PRIMARY KEY,
  name       TEXT        NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  key_id     UUID PRIMARY KEY,
  tenant_id  TEXT        NOT NULL REFERENCES tenants (tenant_id),
  key_hash   TEXT        NOT NULL UNIQUE,
  -- The first characters of the key, so an operator can tell keys apart without the key.
  key_prefix TEXT        NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at TIMESTAMPTZ
);

-- Requests the gateway published: one row per (tenant, Idempotency-Key), so the same key always
-- names the same job and publishes one request. fingerprint = the request's fields, to refuse a
-- key reused for a different request.
CREATE TABLE submitted_requests (
  tenant_id    TEXT        NOT NULL,
  request_id   TEXT        NOT NULL,
  job_id       UUID        NOT NULL,
  mailbox      TEXT        NOT NULL,
  folder       TEXT,
  window_from  TIMESTAMPTZ NOT NULL,
  window_to    TIMESTAMPTZ NOT NULL,
  fingerprint  TEXT        NOT NULL,
  submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id)
);

CREATE UNIQUE INDEX submitted_requests_by_job ON submitted_requests (job_id);

-- BYOK secrets, AES-256-GCM under the master key from config. name is normalised (lower case);
-- the ciphertext is bound to (tenant, name) as associated data, so a row copied to another tenant
-- or name does not decrypt.
CREATE TABLE tenant_secrets (
  tenant_id  TEXT        NOT NULL REFERENCES tenants (tenant_id),
  name       TEXT        NOT NULL,
  nonce      BYTEA       NOT NULL,
  ciphertext BYTEA       NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name)
);

-- One row per attempt, projected from run.events and run.control in any order: each event fills in
-- what it knows. state only moves up: running < completed/failed < timed_out (the ledger's decision
-- fences whatever the attempt says later).
CREATE TABLE run_attempts (
  attempt_id            UUID PRIMARY KEY,
  tenant_id             TEXT        NOT NULL,
  job_id                UUID        NOT NULL,
  run_id                TEXT        NOT NULL,
  lane                  TEXT        NOT NULL,
  attempt_number        INT,
  worker_id             TEXT,
  build_sha             TEXT,
  heartbeat_interval_ms BIGINT,
  state                 TEXT        NOT NULL
    CHECK (state IN ('running', 'completed', 'failed', 'timed_out')),
  started_at            TIMESTAMPTZ,
  ended_at              TIMESTAMPTZ,
  -- The gateway's clock when it last received a heartbeat (coalesced, see HeartbeatCoalescer).
  last_heartbeat_at     TIMESTAMPTZ,
  progress_done         BIGINT,
  progress_total        BIGINT,
  progress_phase        TEXT,
  progress_at           TIMESTAMPTZ,
  stalled_for_ms        BIGINT,
  error_type            TEXT,
  error_message         TEXT,
  error_stack_trace     TEXT,
  retryable             BOOLEAN,
  timeout_diagnosis     TEXT
);

CREATE INDEX run_attempts_by_job ON run_attempts (job_id);

-- What the ledger decided about a run as a whole.
CREATE TABLE run_outcomes (
  run_id            TEXT PRIMARY KEY,
  tenant_id         TEXT        NOT NULL,
  job_id            UUID        NOT NULL,
  lane              TEXT        NOT NULL,
  exhausted         BOOLEAN     NOT NULL DEFAULT FALSE,
  attempts          INT,
  retry_due_attempt INT,
  retry_reason      TEXT,
  error_type        TEXT,
  error_message     TEXT,
  error_stack_trace TEXT
);

CREATE INDEX run_outcomes_by_job ON run_outcomes (job_id);

-- One row per extracted chunk (natural key job + seq): a second ChunkExtracted of the same chunk
-- (a retry that committed again) replaces the counts instead of adding them twice.
CREATE TABLE chunk_results (
  job_id        UUID        NOT NULL,
  seq           INT         NOT NULL,
  tenant_id     TEXT        NOT NULL,
  attempt_id    UUID        NOT NULL,
  messages      INT         NOT NULL,
  entities      INT         NOT NULL,
  relationships INT         NOT NULL,
  embeddings    INT         NOT NULL,
  llm_status    TEXT        NOT NULL,
  llm_reason    TEXT,
  extracted_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (job_id, seq)
);

-- Every executor instance seen in run.events, for the fleet view.
CREATE TABLE fleet_instances (
  instance_id TEXT PRIMARY KEY,
  service     TEXT        NOT NULL,
  build_sha   TEXT        NOT NULL,
  first_seen  TIMESTAMPTZ NOT NULL,
  last_seen   TIMESTAMPTZ NOT NULL
);
