package io.backfill.gateway.messaging;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Retries a projection a few times when the database failed transiently (connection lost,
 * serialization failure, deadlock, server shutting down), before the record is dead-lettered like a
 * poison one (docs/decisions/0005). Anything else fails at once: retrying a bad event only delays
 * its dead letter.
 */
final class TransientRetry {

  private static final Logger LOG = Logger.getLogger(TransientRetry.class);

  /** Three tries, 200 ms then 400 ms apart: rides out a failover without stalling a partition. */
  static final int ATTEMPTS = 3;

  static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  /**
   * SQLSTATEs worth a retry: serialization failure, deadlock, admin/crash shutdown, cannot connect
   * now.
   */
  private static final Set<String> TRANSIENT_STATES =
      Set.of("40001", "40P01", "57P01", "57P02", "57P03");

  private TransientRetry() {}

  static void run(String what, Runnable work) {
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        work.run();
        return;
      } catch (RuntimeException e) {
        if (attempt >= ATTEMPTS || !isTransient(e)) {
          throw e;
        }
        LOG.warnf("%s failed transiently (try %d of %d), retrying: %s", what, attempt, ATTEMPTS, e);
        sleep(backoff);
        backoff = backoff.multipliedBy(2);
      }
    }
  }

  static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        // Class 08: connection exceptions.
        if (state.startsWith("08") || TRANSIENT_STATES.contains(state)) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
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
