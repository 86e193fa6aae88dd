-- Following a mailbox (docs/decisions/0037). A job's follow state is its own: the history status
-- stays completed while following is on, paused or ended. Null while the job is not followed.
ALTER TABLE job_views ADD COLUMN follow_state TEXT
  CHECK (follow_state IN ('following', 'paused', 'ended'));
ALTER TABLE job_views ADD COLUMN follow_interval_seconds INT;

-- One row per completed delta round, keyed by round: a round announced twice counts once.
CREATE TABLE follow_rounds (
  tenant_id        TEXT        NOT NULL,
  job_id           UUID        NOT NULL,
  round            INT         NOT NULL,
  round_started_at TIMESTAMPTZ NOT NULL,
  resynced_folders INT         NOT NULL,
  PRIMARY KEY (tenant_id, job_id, round)
);

-- What each chunk changed; null from workers that predate following.
ALTER TABLE chunk_results ADD COLUMN changes_created INT;
ALTER TABLE chunk_results ADD COLUMN changes_updated INT;
ALTER TABLE chunk_results ADD COLUMN changes_unchanged INT;
ALTER TABLE chunk_results ADD COLUMN changes_deleted INT;
