package io.backfill.fetcher.tenant;

/** The gateway's answer for one tenant: {@code {"tenantId":"…","status":"active"|"suspended"}}. */
public record TenantRecord(String tenantId, String status) {}
