-- Follow rounds (docs/decisions/0037) are runs of their own lane, timed out and retried like
-- fetch runs.
ALTER TABLE runs DROP CONSTRAINT runs_lane_check;
ALTER TABLE runs ADD CONSTRAINT runs_lane_check CHECK (lane IN ('fetch', 'extract', 'follow'));
ALTER TABLE redrives DROP CONSTRAINT redrives_lane_check;
ALTER TABLE redrives ADD CONSTRAINT redrives_lane_check
  CHECK (lane IN ('fetch', 'extract', 'follow'));
