package io.backfill.fetcher.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How the fetcher talks to Microsoft Graph (ARCHITECTURE §5). The base URL is config, so the
 * outlook-simulator and the real Graph are the same code path. The token endpoint is configured on
 * the OIDC client ({@code quarkus.oidc-client.*}).
 */
@ConfigMapping(prefix = "backfill.graph")
public interface GraphConfig {

  /** Graph's root, without {@code /v1.0}. */
  @WithDefault("https://graph.microsoft.com")
  String baseUrl();

  /** Longest wait for a TCP connection to Graph. */
  @WithDefault("5s")
  Duration connectTimeout();

  /**
   * Longest wait for Graph's answer to one request; a hung call (LESSONS 8) ends here and is
   * retried.
   */
  @WithDefault("30s")
  Duration readTimeout();

  /** {@code $top}: 100, because $top=1000 over long windows made Graph answer 504 (LESSONS 9). */
  @WithDefault("100")
  int pageSize();

  /** Text body bytes kept per message (UTF-8); longer bodies are cut and flagged. */
  @WithDefault("10240")
  int maxBodyBytes();

  /** Concurrent Graph requests per mailbox in this process: Outlook's per-mailbox limit is 4. */
  @WithDefault("4")
  int maxConcurrentPerMailbox();

  /**
   * Retries of one page request after 429, 503, 504, timeouts and resets; then the attempt fails.
   */
  @WithDefault("8")
  int maxRetries();

  /** First backoff after a 503/504/timeout; doubles per retry, with full jitter. */
  @WithDefault("1s")
  Duration initialBackoff();

  /** Upper bound of one backoff wait. */
  @WithDefault("30s")
  Duration maxBackoff();

  /**
   * Upper bound of one wait asked for by {@code Retry-After}; a longer demand is capped (the
   * attempt still counts it as a retry).
   */
  @WithDefault("120s")
  Duration maxRetryAfter();
}
