-- The gateway's read model of jobs, projected from job.events. It is rebuilt from the topic, so it
-- holds only what the events say; created_at is when the first event of the job occurred,
-- updated_at is the gateway's clock when the view last changed.
CREATE TABLE job_views (
  job_id           UUID PRIMARY KEY,
  tenant_id        TEXT        NOT NULL,
  -- Null only when the job's JobAccepted/JobRejected was never seen (see JobStatusProjection).
  request_id       TEXT,
  mailbox          TEXT,
  folder           TEXT,
  window_from      TIMESTAMPTZ,
  window_to        TIMESTAMPTZ,
  status           TEXT        NOT NULL
    CHECK (status IN ('pending', 'rejected', 'running', 'paused', 'cancelled', 'completed',
                      'failed')),
  -- Why the job was rejected, failed, cancelled or completed with errors.
  reason           TEXT,
  chunks_published INT         NOT NULL DEFAULT 0,
  messages_fetched BIGINT      NOT NULL DEFAULT 0,
  has_more         BOOLEAN     NOT NULL DEFAULT TRUE,
  chunks           INT,
  failed_chunks    INT,
  created_at       TIMESTAMPTZ NOT NULL,
  updated_at       TIMESTAMPTZ NOT NULL,
  last_event_id    UUID        NOT NULL,
  last_event_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX job_views_by_tenant ON job_views (tenant_id, created_at DESC);

-- Event ids already projected: a redelivered event is a no-op.
CREATE TABLE projected_events (
  event_id     UUID PRIMARY KEY,
  projected_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
