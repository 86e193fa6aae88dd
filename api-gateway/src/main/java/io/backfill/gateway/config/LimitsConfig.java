package io.backfill.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Abuse limits of one gateway instance: per-tenant request rates, failed authentication per client
 * address and key prefix, and open event streams per tenant. The counters live in this process's
 * memory, so with several instances behind a load balancer a client gets up to that many times each
 * limit.
 */
@ConfigMapping(prefix = "backfill.gateway.limits")
public interface LimitsConfig {

  /** {@code POST /api/v1/backfills} per tenant. */
  Submissions submissions();

  /** {@code PUT} and {@code DELETE /api/v1/tenant/secrets/{name}} per tenant. */
  SecretWrites secretWrites();

  /** Presented credentials that were refused, per client address and per API-key prefix. */
  FailedAuth failedAuth();

  /** {@code GET /api/v1/backfills/{jobId}/events}. */
  EventStreams eventStreams();

  /**
   * Most tenants, addresses or key prefixes each limit remembers; the least recently seen is
   * forgotten beyond that, so a flood of new addresses costs bounded memory.
   */
  @WithDefault("100000")
  int maxTrackedKeys();

  /** Submissions: a backfill is hours of work, a person or script submits a few a minute. */
  interface Submissions {

    /** Requests allowed per {@link #period()} once the burst is spent. */
    @WithDefault("60")
    int permits();

    /** The period {@link #permits()} are spread over. */
    @WithDefault("1m")
    Duration period();

    /** Requests allowed back to back after a quiet spell (the size of the token bucket). */
    @WithDefault("20")
    int burst();
  }

  /** Secret writes: each seals a value under the master key; a tenant sets a handful, rarely. */
  interface SecretWrites {

    /** Writes allowed per {@link #period()} once the burst is spent. */
    @WithDefault("20")
    int permits();

    /** The period {@link #permits()} are spread over. */
    @WithDefault("1m")
    Duration period();

    /** Writes allowed back to back after a quiet spell (the size of the token bucket). */
    @WithDefault("10")
    int burst();
  }

  /** Guessing keys or tokens: refused after this many failures within the window. */
  interface FailedAuth {

    /**
     * Refused credentials (unknown or revoked key, wrong admin or service token) from one address,
     * or for one key prefix, within {@link #window()} before further attempts get 429 without being
     * checked. A request without a token is not a guess and does not count.
     */
    @WithDefault("10")
    int maxFailures();

    /** Counted from the first failure; the block lasts until the window ends. */
    @WithDefault("1m")
    Duration window();
  }

  /** Server-Sent Events streams: each holds a connection and polls the database. */
  interface EventStreams {

    /** Streams one tenant may hold open on this instance; the next one gets 429. */
    @WithDefault("5")
    int maxPerTenant();

    /**
     * How often an open stream checks that its API key is still live; a revoked key's stream closes
     * within this interval.
     */
    @WithDefault("5s")
    Duration keyRecheckInterval();
  }
}
