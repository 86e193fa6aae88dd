package io.backfill.fetcher.domain;

import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.graph.DirectoryUnavailable;
import io.backfill.fetcher.graph.GraphConnectionUnavailable;
import io.backfill.fetcher.tenant.TenantRegistryUnavailable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
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
  private final Duration backoff;
  private final MeterRegistry registry;

  @Inject
  TransientRetry(FetcherConfig config, MeterRegistry registry) {
    this(config.transientRetries(), config.transientBackoff(), registry);
  }

  public TransientRetry(int retries, Duration backoff, MeterRegistry registry) {
    this.retries = retries;
    this.backoff = backoff;
    this.registry = registry;
  }

  /**
   * Runs {@code work}, again after a transient failure, up to the configured retries; the last
   * failure is thrown. {@code what} names the operation and its ids for the log.
   */
  public <T> T call(String operation, String what, Supplier<T> work) {
    long waitMs = backoff.toMillis();
    for (int retry = 0; ; retry++) {
      try {
        return work.get();
      } catch (RuntimeException e) {
        if (retry >= retries || !isTransient(e)) {
          throw e;
        }
        counter(operation).increment();
        LOG.warnf(
            "%s of %s failed transiently (%s); retry %d of %d in %d ms",
            operation, what, rootMessage(e), retry + 1, retries, waitMs);
        LockSupport.parkNanos(Duration.ofMillis(waitMs).toNanos());
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          throw e;
        }
        waitMs *= 2;
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
   * Transient: a connection-class (08), serialization (40001), deadlock (40P01), resources (53),
   * operator-intervention (57P0x) or lock-not-available (55P03) SQLSTATE anywhere in the causes, a
   * JDBC transient/recoverable exception, the pool's acquisition timeout, the gateway down, or
   * Graph not telling a directory's verified domains.
   */
  static boolean isTransient(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof SQLTransientException
          || e instanceof SQLRecoverableException
          || e instanceof GraphConnectionUnavailable
          || e instanceof TenantRegistryUnavailable
          || e instanceof DirectoryUnavailable) {
        return true;
      }
      if (e instanceof SQLException sql) {
        String state = sql.getSQLState();
        if (state != null
            && (state.startsWith("08")
                || state.equals("40001")
                || state.equals("40P01")
                || state.startsWith("53")
                || state.startsWith("57P0")
                || state.equals("55P03"))) {
          return true;
        }
        if (state == null
            && sql.getMessage() != null
            && sql.getMessage().contains("Acquisition timeout")) {
          return true;
        }
      }
      if (e.getCause() == e) {
        break;
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
