-- Following a mailbox (decision 0037). A followed job's history is its first delta round; after
-- it, rounds are due every follow_interval_seconds (jittered) while follow_state is 'following'.
ALTER TABLE jobs ADD COLUMN follow BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN follow_interval_seconds INT;
-- NULL until the history completed; then following, paused (holds rounds) or ended (cancelled).
ALTER TABLE jobs ADD COLUMN follow_state TEXT
  CHECK (follow_state IN ('following', 'paused', 'ended'));
-- The folder the history's next_link belongs to (the history's checkpoint is (folder, next link)).
ALTER TABLE jobs ADD COLUMN follow_folder TEXT;
-- mailFolders/delta link of the job's mailbox: new and removed folders between rounds.
ALTER TABLE jobs ADD COLUMN folders_delta_link TEXT;
-- The round in progress or last run (from 1), whether it is still open, and when it is due.
ALTER TABLE jobs ADD COLUMN follow_round INT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN follow_round_open BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN follow_due_at TIMESTAMPTZ;
-- The round attempt that owns the job's rounds and its liveness (fencing, as attempt_id for fetch).
ALTER TABLE jobs ADD COLUMN follow_attempt_id UUID;
ALTER TABLE jobs ADD COLUMN follow_alive_at TIMESTAMPTZ;
-- The open round's counts, kept with its checkpoint so a resumed round reports the whole round.
ALTER TABLE jobs ADD COLUMN round_started_at TIMESTAMPTZ;
ALTER TABLE jobs ADD COLUMN round_listed INT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN round_removed INT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN round_resynced INT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN round_requests INT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN round_first_seq INT;
-- The last completed round's start (lag) and end (overdue).
ALTER TABLE jobs ADD COLUMN last_round_started_at TIMESTAMPTZ;
ALTER TABLE jobs ADD COLUMN last_round_completed_at TIMESTAMPTZ;
CREATE INDEX jobs_follow_due ON jobs (follow_due_at) WHERE follow_state = 'following';

-- A followed job's folders: each one's delta link (where the next round starts), its next link
-- within the round in progress (the checkpoint), and the round it last finished.
CREATE TABLE follow_folders (
  job_id        UUID    NOT NULL REFERENCES jobs (job_id),
  folder_id     TEXT    NOT NULL,
  position      INT     NOT NULL,
  delta_link    TEXT,
  next_link     TEXT,
  -- first seq of a fresh listing in progress: the sweep's sinceSeq when the listing ends
  sweep_since   INT,
  -- the folder is gone from the mailbox: its sweep with an empty listing is still to be published
  gone          BOOLEAN NOT NULL DEFAULT false,
  done_round    INT     NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, folder_id)
);
