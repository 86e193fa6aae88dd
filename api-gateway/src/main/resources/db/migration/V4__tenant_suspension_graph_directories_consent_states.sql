-- A suspended tenant's API keys are refused (403) and other services are refused its credentials;
-- null means active.
ALTER TABLE tenants ADD COLUMN suspended_at TIMESTAMPTZ;

-- The Microsoft Entra directory a tenant's mail is read from with the operator's app. Written only
-- by the admin-consent callback or by the platform admin, never by the tenant's own word. The
-- callback binds a directory no other tenant holds; only the platform admin may bind one directory
-- to several tenants (ids are stored lower-case).
CREATE TABLE tenant_graph_directories (
  tenant_id    TEXT PRIMARY KEY REFERENCES tenants (tenant_id),
  directory_id TEXT        NOT NULL,
  bound_via    TEXT        NOT NULL CHECK (bound_via IN ('consent', 'admin')),
  bound_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per consent state handed out: the nonce is consumed once (consumed_at set atomically),
-- so a callback URL replayed is refused. Rows are deleted some time after they expire.
CREATE INDEX tenant_graph_directories_by_directory ON tenant_graph_directories (directory_id);

CREATE TABLE graph_consent_states (
  nonce       TEXT PRIMARY KEY,
  tenant_id   TEXT        NOT NULL REFERENCES tenants (tenant_id),
  expires_at  TIMESTAMPTZ NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  consumed_at TIMESTAMPTZ
);

CREATE INDEX graph_consent_states_by_expiry ON graph_consent_states (expires_at);
