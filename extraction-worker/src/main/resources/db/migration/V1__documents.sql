-- One row per mail message of a tenant, keyed by Graph's message id: the same message extracted
-- again (a redelivered or re-fetched chunk) updates its row instead of adding one.
CREATE TABLE documents (
  tenant_id           TEXT        NOT NULL,
  message_id          TEXT        NOT NULL,
  -- The job and run that last extracted the message.
  job_id              UUID        NOT NULL,
  run_id              TEXT        NOT NULL,
  seq                 INT         NOT NULL,
  internet_message_id TEXT,
  conversation_id     TEXT,
  subject             TEXT,
  received_at         TIMESTAMPTZ NOT NULL,
  sent_at             TIMESTAMPTZ,
  from_name           TEXT,
  from_address        TEXT,
  -- Recipients as Graph gives them: [{"name": ..., "address": ...}], in order.
  to_addresses        JSONB       NOT NULL DEFAULT '[]',
  cc_addresses        JSONB       NOT NULL DEFAULT '[]',
  body                TEXT        NOT NULL,
  body_truncated      BOOLEAN     NOT NULL,
  first_extracted_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_extracted_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  extraction_count    INT         NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, message_id)
);

CREATE INDEX documents_by_job ON documents (job_id);
