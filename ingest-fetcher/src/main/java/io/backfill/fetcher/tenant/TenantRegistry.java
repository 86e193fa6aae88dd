package io.backfill.fetcher.tenant;

/**
 * Whether a tenant exists and may backfill. A registry that cannot answer now throws {@link
 * TenantRegistryUnavailable}, which intake retries as transient: an unreachable registry never
 * turns into a rejection.
 */
public interface TenantRegistry {

  TenantStatus statusOf(String tenantId);
}
