package io.backfill.fetcher.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Where a tenant's Graph connection (directory id, optional own app) comes from: the gateway's
 * internal endpoint, or one static connection from configuration for local use with the simulator.
 */
@ConfigMapping(prefix = "backfill.graph.connections")
public interface ConnectionsConfig {

  /** The two sources of connections. */
  enum Source {
    /**
     * Every tenant uses the one connection configured as {@code quarkus.oidc-client.*}: dev and
     * test only, refused in production.
     */
    STATIC,
    /** {@code GET /internal/v1/tenants/{tenantId}/graph-connection} on the api-gateway. */
    GATEWAY
  }

  @WithDefault("gateway")
  Source source();

  /**
   * How long a connection the gateway handed out is reused; a rotated secret or a removed tenant is
   * noticed after at most this long. Unknown tenants are not cached.
   */
  @WithDefault("60s")
  Duration cacheTtl();

  /**
   * Most tenants whose connection and Graph token client are kept in memory; beyond it the least
   * used (by recency and frequency) are dropped, their clients closed, and made again when needed.
   */
  @WithDefault("1000")
  int cacheSize();

  /** The gateway's service token ({@code backfill.gateway.service-token} there). */
  Optional<String> serviceToken();

  /** Where the tenant directories' token endpoints live: {@code <login-url>/<directoryId>}. */
  @WithDefault("https://login.microsoftonline.com")
  String loginUrl();
}
