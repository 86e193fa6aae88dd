-- One row per accepted backfill request. The job id is derived from (tenant_id, request_id), so a
-- request posted twice is the same row; rejected requests never get one.
CREATE TABLE jobs (
  job_id                   UUID PRIMARY KEY,
  tenant_id                TEXT        NOT NULL,
  request_id               TEXT        NOT NULL,
  mailbox                  TEXT        NOT NULL,
  folder                   TEXT,
  window_from              TIMESTAMPTZ NOT NULL,
  window_to                TIMESTAMPTZ NOT NULL CHECK (window_to > window_from),
  status                   TEXT        NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'paused', 'cancelled', 'failed', 'fetched')),
  -- The checkpoint the paging loop resumes from (written after each chunk is acknowledged).
  pages_published          INT         NOT NULL DEFAULT 0,
  messages_published       BIGINT      NOT NULL DEFAULT 0,
  next_link                TEXT,
  last_error_type          TEXT,
  last_error_message       TEXT,
  last_error_stack_trace   TEXT,
  -- JobAccepted was acknowledged by the broker; false means (re)publish it on redelivery.
  accepted_published       BOOLEAN     NOT NULL DEFAULT false,
  created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, request_id)
);
