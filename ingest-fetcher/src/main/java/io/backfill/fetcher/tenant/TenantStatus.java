package io.backfill.fetcher.tenant;

/** What the tenant registry says about a tenant. */
public enum TenantStatus {
  /** Registered and allowed to backfill. */
  ACTIVE,
  /** Registered, but its operator stopped it: no new jobs. */
  SUSPENDED,
  /** Not registered at all. */
  UNKNOWN
}
