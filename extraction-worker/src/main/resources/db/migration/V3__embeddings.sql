-- One vector per message and model: subject + body embedded in-process. real[] because this
-- machine's PostgreSQL has no pgvector; deployments with pgvector can add a vector(384) column.
CREATE TABLE embeddings (
  tenant_id     TEXT        NOT NULL,
  message_id    TEXT        NOT NULL,
  model         TEXT        NOT NULL,
  model_version TEXT        NOT NULL,
  dimensions    INT         NOT NULL,
  vector        REAL[]      NOT NULL,
  embedded_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, message_id, model),
  FOREIGN KEY (tenant_id, message_id) REFERENCES documents (tenant_id, message_id)
);
