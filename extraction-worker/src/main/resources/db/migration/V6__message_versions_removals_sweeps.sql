-- Following a mailbox (decision 0037): what the worker knows of each message, so that a chunk's
-- seq orders what it says about a message within a job. IF NOT EXISTS and ON CONFLICT keep the
-- migration safe to run again on a database that has part of it.

-- One row per live document: the job and chunk seq it was last seen in, its folder and Graph
-- changeKey. Deleted with its document.
CREATE TABLE IF NOT EXISTS message_versions (
  tenant_id  TEXT        NOT NULL,
  message_id TEXT        NOT NULL,
  job_id     UUID        NOT NULL,
  seen_seq   INT         NOT NULL,
  folder_id  TEXT,
  change_key TEXT,
  seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, message_id),
  FOREIGN KEY (tenant_id, message_id) REFERENCES documents (tenant_id, message_id)
);

CREATE INDEX IF NOT EXISTS message_versions_by_folder
  ON message_versions (tenant_id, job_id, folder_id, seen_seq);

-- Documents written before this migration were seen in the chunk that last extracted them.
INSERT INTO message_versions (tenant_id, message_id, job_id, seen_seq)
SELECT tenant_id, message_id, job_id, seq FROM documents
ON CONFLICT DO NOTHING;

-- Tombstones: a message removed from a folder by the chunk with this seq (a removal or a sweep).
-- A message of that folder from an older chunk of the job, delivered late, does not come back.
CREATE TABLE IF NOT EXISTS message_removals (
  tenant_id  TEXT        NOT NULL,
  message_id TEXT        NOT NULL,
  folder_id  TEXT        NOT NULL,
  job_id     UUID        NOT NULL,
  seq        INT         NOT NULL,
  removed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, message_id, folder_id)
);

-- Sweeps of a fresh delta round of a folder: pending until every chunk of the job with seq in
-- [since_seq, until_seq] is committed here, then applied once (applied_at, deleted).
CREATE TABLE IF NOT EXISTS folder_sweeps (
  tenant_id     TEXT        NOT NULL,
  job_id        UUID        NOT NULL,
  folder_id     TEXT        NOT NULL,
  since_seq     INT         NOT NULL,
  until_seq     INT         NOT NULL,
  registered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  applied_at    TIMESTAMPTZ,
  deleted       INT,
  PRIMARY KEY (job_id, folder_id, until_seq)
);

CREATE INDEX IF NOT EXISTS folder_sweeps_pending ON folder_sweeps (job_id) WHERE applied_at IS NULL;

-- Which chunks of a job are committed, for the sweeps' ranges.
ALTER TABLE completed_runs ADD COLUMN IF NOT EXISTS job_id UUID;
ALTER TABLE completed_runs ADD COLUMN IF NOT EXISTS seq INT;
UPDATE completed_runs
   SET job_id = split_part(run_id, ':', 2)::uuid, seq = split_part(run_id, ':', 3)::int
 WHERE job_id IS NULL AND run_id LIKE 'extract:%:%';
CREATE INDEX IF NOT EXISTS completed_runs_by_job_seq ON completed_runs (job_id, seq);
