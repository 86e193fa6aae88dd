-- Entities of a tenant, keyed by "<kind>:<normalised value>": person:<lower-case address>,
-- organisation:<domain>, thread:<conversation id>, date:<yyyy-mm-dd>. Extracting a message again
-- updates the row instead of adding one.
CREATE TABLE entities (
  tenant_id     TEXT        NOT NULL,
  entity_key    TEXT        NOT NULL,
  kind          TEXT        NOT NULL,
  name          TEXT,
  address       TEXT,
  first_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, entity_key)
);

-- Which entities a message names, and as what (from, to, cc, domain, thread, received).
CREATE TABLE mentions (
  tenant_id  TEXT   NOT NULL,
  message_id TEXT   NOT NULL,
  entity_key TEXT   NOT NULL,
  roles      TEXT[] NOT NULL,
  PRIMARY KEY (tenant_id, message_id, entity_key),
  FOREIGN KEY (tenant_id, message_id) REFERENCES documents (tenant_id, message_id),
  FOREIGN KEY (tenant_id, entity_key) REFERENCES entities (tenant_id, entity_key)
);

-- Typed edges between entities, one per message that shows them: sent_to, cc, works_at, replied_in.
CREATE TABLE relationships (
  tenant_id  TEXT NOT NULL,
  source_key TEXT NOT NULL,
  type       TEXT NOT NULL,
  target_key TEXT NOT NULL,
  message_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, source_key, type, target_key, message_id),
  FOREIGN KEY (tenant_id, source_key) REFERENCES entities (tenant_id, entity_key),
  FOREIGN KEY (tenant_id, target_key) REFERENCES entities (tenant_id, entity_key),
  FOREIGN KEY (tenant_id, message_id) REFERENCES documents (tenant_id, message_id)
);

-- Extract runs this worker committed, written in the chunk's own transaction: a chunk delivered
-- again (a page re-published, a redelivery) whose run is here is skipped.
CREATE TABLE completed_runs (
  run_id        TEXT        PRIMARY KEY,
  tenant_id     TEXT        NOT NULL,
  attempt_id    UUID        NOT NULL,
  messages      INT         NOT NULL,
  entities      INT         NOT NULL,
  relationships INT         NOT NULL,
  completed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
