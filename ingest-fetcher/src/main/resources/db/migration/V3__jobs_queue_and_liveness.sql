-- The jobs table is the queue of fetch work: a pending job with queued_at set waits for an attempt
-- slot on any instance, which claims it (FOR UPDATE SKIP LOCKED) on the attempt's own thread. A
-- pending job without queued_at (accepted by an intake-only instance) waits for a Resume.
ALTER TABLE jobs ADD COLUMN queued_at TIMESTAMPTZ;
-- When the owning attempt (attempt_id) last proved it was alive: set at its claim, renewed while
-- it runs. An attempt not renewed for longer than the dead-after bound is dead, and Resume or
-- RetryDue may take its job over (the new claim fences it through attempt_id).
ALTER TABLE jobs ADD COLUMN last_alive_at TIMESTAMPTZ;
CREATE INDEX jobs_queue ON jobs (queued_at, job_id) WHERE status = 'pending' AND queued_at IS NOT NULL;
