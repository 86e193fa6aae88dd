-- When the job was paused or cancelled (the JobPaused / JobCancelled event's time); cleared on
-- resume. The status shows it with what was extracted before the stop.
ALTER TABLE job_views ADD COLUMN stopped_at TIMESTAMPTZ;
