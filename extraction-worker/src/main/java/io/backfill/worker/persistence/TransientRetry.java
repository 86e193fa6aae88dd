package io.backfill.worker.persistence;

import io.backfill.contracts.retry.Backoff;
import io.backfill.contracts.retry.TransientFailures;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.ChunkMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs a database operation again after a transient failure (contracts' one definition: lost
 * connection, server restarting, pool timeout, lock timeout, deadlock, serialization), with the
 * contracts' full-jitter backoff, until it succeeds, fails otherwise, runs out of retries or would
 * wait past its deadline. Each operation is a whole transaction, so a retry starts clean.
 */
@ApplicationScoped
public class TransientRetry {

  private static final Logger LOG = Logger.getLogger(TransientRetry.class);

  private final Backoff backoff;
  private final ChunkMetrics metrics;

  TransientRetry(WorkerConfig config, ChunkMetrics metrics) {
    this.backoff =
        Backoff.of(
            config.dbRetry().initialBackoff(),
            2.0,
            config.dbRetry().maxBackoff(),
            config.dbRetry().maxRetries());
    this.metrics = metrics;
  }

  /**
   * The operation's result. {@code deadlineNanos} is a {@link System#nanoTime()} after which no
   * retry starts; {@code ids} names what it works for in the log line of each retry. An interrupt
   * while waiting (the attempt was cancelled) ends the retries with the last failure.
   */
  public <T> T call(String operation, String ids, long deadlineNanos, Supplier<T> work) {
    for (int retry = 1; ; retry++) {
      try {
        return work.get();
      } catch (RuntimeException e) {
        if (!TransientFailures.isTransient(e) || !backoff.allows(retry)) {
          throw e;
        }
        Duration pause = backoff.delay(retry);
        if (System.nanoTime() + pause.toNanos() - deadlineNanos > 0) {
          throw e;
        }
        metrics.transientRetry(operation);
        LOG.warnf(
            "%s for %s failed transiently (%s); retry %d of %d in %d ms",
            operation, ids, rootMessage(e), retry, backoff.maxRetries(), pause.toMillis());
        try {
          TimeUnit.MILLISECONDS.sleep(pause.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  public void run(String operation, String ids, long deadlineNanos, Runnable work) {
    call(
        operation,
        ids,
        deadlineNanos,
        () -> {
          work.run();
          return null;
        });
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
