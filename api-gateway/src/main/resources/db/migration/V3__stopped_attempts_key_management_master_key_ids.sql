-- RunStopped: an attempt that ended because its job was paused or cancelled. It is not a failure,
-- so it gets its own state instead of 'failed', and keeps why (paused | cancelled) and where.
ALTER TABLE run_attempts DROP CONSTRAINT run_attempts_state_check;
ALTER TABLE run_attempts ADD CONSTRAINT run_attempts_state_check
  CHECK (state IN ('running', 'stopped', 'completed', 'failed', 'timed_out'));
ALTER TABLE run_attempts ADD COLUMN stop_reason TEXT
  CHECK (stop_reason IN ('paused', 'cancelled'));
ALTER TABLE run_attempts ADD COLUMN stop_detail TEXT;

-- Key management: a label the operator chose and when the key was last used (written at most
-- once a minute per key, see ApiKeys), so unused keys can be found and revoked.
ALTER TABLE api_keys ADD COLUMN label TEXT;
ALTER TABLE api_keys ADD COLUMN last_used_at TIMESTAMPTZ;
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at);

-- Master-key rotation: each ciphertext names the master key that sealed it. Rows written before
-- key ids existed were sealed with the single backfill.gateway.secrets.master-key, whose id is
-- 'default' (docs/decisions/0019-gateway-master-key-rotation.md).
ALTER TABLE tenant_secrets ADD COLUMN key_id TEXT NOT NULL DEFAULT 'default';
ALTER TABLE tenant_secrets ALTER COLUMN key_id DROP DEFAULT;
CREATE INDEX tenant_secrets_by_key ON tenant_secrets (key_id);
