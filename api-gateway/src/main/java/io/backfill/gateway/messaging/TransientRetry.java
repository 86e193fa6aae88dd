package io.backfill.gateway.messaging;

import io.backfill.contracts.retry.Backoff;
import io.backfill.contracts.retry.TransientFailures;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Retries a projection a few times when the database failed transiently (as {@link
 * TransientFailures} defines it: connection lost or refused, server restarting, pool exhausted,
 * serialization failure, deadlock), before the record is dead-lettered like a poison one
 * (docs/decisions/0005). Anything else fails at once: retrying a bad event only delays its dead
 * letter.
 */
final class TransientRetry {

  private static final Logger LOG = Logger.getLogger(TransientRetry.class);

  /**
   * Two retries after the first try, waits drawn uniformly from [0, 200 ms] then [0, 400 ms] (full
   * jitter): rides out a failover without stalling a partition for long.
   */
  static final Backoff BACKOFF = Backoff.of(Duration.ofMillis(200), 2.0, Duration.ofSeconds(1), 2);

  /** Tries in all, the first one included. */
  static final int ATTEMPTS = BACKOFF.maxRetries() + 1;

  private TransientRetry() {}

  static void run(String what, Runnable work) {
    for (int retry = 1; ; retry++) {
      try {
        work.run();
        return;
      } catch (RuntimeException e) {
        if (!BACKOFF.allows(retry) || !isTransient(e)) {
          throw e;
        }
        LOG.warnf("%s failed transiently (try %d of %d), retrying: %s", what, retry, ATTEMPTS, e);
        sleep(BACKOFF.delay(retry));
      }
    }
  }

  static boolean isTransient(Throwable failure) {
    return TransientFailures.isTransient(failure);
  }

  private static void sleep(Duration backoff) {
    try {
      Thread.sleep(backoff.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry", e);
    }
  }
}
