package io.backfill.fetcher.domain;

import io.backfill.contracts.retry.Backoff;
import io.backfill.contracts.retry.TransientFailures;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.graph.DirectoryUnavailable;
import io.backfill.fetcher.graph.GraphConnectionUnavailable;
import io.backfill.fetcher.tenant.TenantRegistryUnavailable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Bounded retry of one record's handling after a transient failure, before it is dead-lettered: a
 * database that dropped the connection or restarted, a serialization failure or deadlock, a pool
 * that had no connection, the gateway not answering. Anything else fails at once. The handling
 * retried must be idempotent; intake, commands and run control are (decision 0013).
 */
@ApplicationScoped
public class TransientRetry {

  private static final Logger LOG = Logger.getLogger(TransientRetry.class);

  private final int retries;
  private final Backoff policy;
  private final MeterRegistry registry;

  @Inject
  TransientRetry(FetcherConfig config, MeterRegistry registry) {
    this(config.transientRetries(), config.transientBackoff(), registry);
  }

  public TransientRetry(int retries, Duration backoff, MeterRegistry registry) {
    this.retries = retries;
    // Doubling from the configured wait, full jitter (each wait uniform on [0, ceiling]), the
    // ceiling of the last retry as the cap.
    long capMillis = backoff.toMillis() * (1L << Math.max(0, Math.min(retries - 1, 20)));
    this.policy = Backoff.of(backoff, 2.0, Duration.ofMillis(capMillis), retries);
    this.registry = registry;
  }

  /**
   * Runs {@code work}, again after a transient failure, up to the configured retries; the last
   * failure is thrown. {@code what} names the operation and its ids for the log.
   */
  public <T> T call(String operation, String what, Supplier<T> work) {
    for (int retry = 1; ; retry++) {
      try {
        return work.get();
      } catch (RuntimeException e) {
        if (!policy.allows(retry) || !isTransient(e)) {
          throw e;
        }
        Duration wait = policy.delay(retry);
        counter(operation).increment();
        LOG.warnf(
            "%s of %s failed transiently (%s); retry %d of %d in %d ms",
            operation, what, rootMessage(e), retry, retries, wait.toMillis());
        LockSupport.parkNanos(wait.toNanos());
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  public void run(String operation, String what, Runnable work) {
    call(
        operation,
        what,
        () -> {
          work.run();
          return null;
        });
  }

  /**
   * Transient: a database failure as the project defines it ({@link TransientFailures}: dropped
   * connection, restart, serialization failure, deadlock, pool timeout...), or, for the fetcher's
   * own dependencies, the gateway or tenant registry not answering, or Graph not telling a
   * directory's verified domains.
   */
  static boolean isTransient(Throwable failure) {
    if (TransientFailures.isTransient(failure)) {
      return true;
    }
    int depth = 0;
    for (Throwable e = failure; e != null && depth < 32; e = e.getCause(), depth++) {
      if (e instanceof GraphConnectionUnavailable
          || e instanceof TenantRegistryUnavailable
          || e instanceof DirectoryUnavailable) {
        return true;
      }
    }
    return false;
  }

  private Counter counter(String operation) {
    return Counter.builder("backfill_fetcher_transient_retries_total")
        .description("Retries of a record's handling after a transient database or gateway failure")
        .tag("operation", operation)
        .register(registry);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
