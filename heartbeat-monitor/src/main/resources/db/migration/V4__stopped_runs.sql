-- RunStopped (contracts 8cb14a5): an attempt that ended because its job was paused or cancelled.
-- The attempt is 'stopped' (never timed out, never retried); its run is parked as 'paused' or
-- 'cancelled' until a new attempt starts (resume). Stopped attempts do not use up the run's retry
-- budget: the policy counts attempts minus stopped_attempts.
ALTER TABLE attempts DROP CONSTRAINT attempts_state_check;
ALTER TABLE attempts ADD CONSTRAINT attempts_state_check
  CHECK (state IN ('running', 'completed', 'failed', 'timed_out', 'superseded', 'fenced',
                   'stopped'));
ALTER TABLE attempts ADD COLUMN stop_reason TEXT;
ALTER TABLE attempts ADD COLUMN stop_detail TEXT;

ALTER TABLE runs DROP CONSTRAINT runs_state_check;
ALTER TABLE runs ADD CONSTRAINT runs_state_check
  CHECK (state IN ('running', 'completed', 'failed', 'retry_pending', 'exhausted', 'paused',
                   'cancelled'));
ALTER TABLE runs ADD COLUMN stopped_attempts INT NOT NULL DEFAULT 0;
