package io.backfill.fetcher.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Where the fetcher learns which tenants exist and whether they are active: every request is
 * checked here before it becomes a job, because anyone who can write to {@code backfill.requests}
 * could otherwise name any tenant.
 */
@ConfigMapping(prefix = "backfill.tenants")
public interface TenantsConfig {

  /** The two sources of the tenant registry. */
  enum Source {
    /** {@code GET /internal/v1/tenants/{tenantId}} on the api-gateway, with the service token. */
    GATEWAY,
    /** Every tenant exists and is active: local use and tests only, refused in production. */
    ANY
  }

  @WithDefault("gateway")
  Source source();

  /**
   * How long an active or suspended answer is reused: a suspension takes effect for new requests
   * within this long, and a burst of requests costs the gateway one call per tenant.
   */
  @WithDefault("30s")
  Duration cacheTtl();

  /**
   * How long "unknown tenant" is reused: short, so a tenant registered a moment after its first
   * rejected request is accepted soon, while a flood of requests naming made-up tenants still does
   * not turn into one gateway call each.
   */
  @WithDefault("5s")
  Duration unknownCacheTtl();

  /**
   * Most tenants whose answers are kept; the least used (by recency and frequency) are dropped
   * beyond it.
   */
  @WithDefault("1000")
  int cacheSize();
}
