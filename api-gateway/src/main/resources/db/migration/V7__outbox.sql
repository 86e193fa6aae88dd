-- Transactional outbox: a submission's BackfillRequested, or a command, stored in the same
-- transaction as the submission's idempotency claim (or the command's state check), and published
-- by the relay (messaging.OutboxRelay), which deletes each row once the broker has acknowledged
-- it. Rows of one key are published in id order.
CREATE TABLE outbox (
  id          BIGSERIAL   PRIMARY KEY,
  topic       TEXT        NOT NULL,
  record_key  TEXT        NOT NULL,
  payload     TEXT        NOT NULL,
  event_id    UUID        NOT NULL UNIQUE,
  event_type  TEXT        NOT NULL,
  tenant_id   TEXT        NOT NULL,
  job_id      UUID        NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  attempts    INT         NOT NULL DEFAULT 0,
  last_error  TEXT
);

CREATE INDEX outbox_by_key ON outbox (topic, record_key, id);
