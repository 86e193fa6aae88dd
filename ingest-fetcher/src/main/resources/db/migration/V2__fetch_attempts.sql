-- The fetch attempt that currently owns a job. Checkpoint and status writes name it, so a
-- superseded or timed-out attempt can no longer move the job (fencing).
ALTER TABLE jobs ADD COLUMN attempt_id UUID;
-- A job whose running attempt the ledger timed out waits for RetryDue (or a Resume).
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('pending', 'running', 'paused', 'cancelled', 'failed', 'fetched', 'timed_out'));
