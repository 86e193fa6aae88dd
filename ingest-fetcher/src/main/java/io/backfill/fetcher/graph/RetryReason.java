package io.backfill.fetcher.graph;

import java.util.Locale;

/** Why a Graph request was retried; the {@code reason} tag of the retries metric. */
public enum RetryReason {
  /** 429: Graph asked us to wait {@code Retry-After}. */
  THROTTLED,
  /** 500, 502, 503: Graph is briefly unwell. */
  UNAVAILABLE,
  /** 504: Graph's own gateway gave up (large pages over long windows, LESSONS 9). */
  GATEWAY_TIMEOUT,
  /** No answer within the read timeout (LESSONS 8). */
  TIMEOUT,
  /** Connection refused or reset. */
  CONNECTION,
  /** 401: the token expired or was revoked; one fresh token, no wait. */
  UNAUTHORIZED;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
