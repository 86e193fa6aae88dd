package io.backfill.fetcher.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The check that a request's mailbox is in one of the verified domains of its tenant's directory
 * (Graph {@code GET /v1.0/organization?$select=verifiedDomains}), made at intake before any job
 * exists.
 */
@ConfigMapping(prefix = "backfill.graph.verified-domains")
public interface VerifiedDomainsConfig {

  /**
   * Check mailboxes against the directory's verified domains. Off only in dev and test (the
   * outlook-simulator has no {@code /organization}); the fetcher refuses to start with it off
   * elsewhere.
   */
  @WithDefault("true")
  boolean enabled();

  /**
   * How long a directory's verified domains are reused: domains change rarely, and intake should
   * not cost a Graph call per request.
   */
  @WithDefault("10m")
  Duration cacheTtl();

  /**
   * Most directories whose domains are kept; the least used (by recency and frequency) are dropped
   * beyond it.
   */
  @WithDefault("1000")
  int cacheSize();
}
