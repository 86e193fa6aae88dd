package io.backfill.fetcher.graph;

import java.time.Duration;

/**
 * Where a Graph request waits between retries: the attempt that owns it, so a wait can end early
 * when the attempt is told to stop, heartbeats say "backoff" meanwhile, and log lines carry the
 * attempt's ids.
 */
public interface RetryWaits {

  /** Waits up to {@code wait}; throws when the attempt was told to stop meanwhile. */
  void backoff(Duration wait, RetryReason reason);

  /** Called before every request Graph is sent (retries included), for a round's count. */
  default void requested() {}

  /** Tenant, job, run and attempt ids, for log lines. */
  String describe();
}
