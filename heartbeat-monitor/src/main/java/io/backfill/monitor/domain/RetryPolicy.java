package io.backfill.monitor.domain;

import io.backfill.contracts.retry.Backoff;
import io.backfill.monitor.config.MonitorConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * The run retry policy: at most {@code max-attempts} attempts, and before attempt {@code n + 1} a
 * wait computed by the shared {@link Backoff} — ceiling {@code min(maxDelay, initialDelay ×
 * multiplier^(n-1))}, with full jitter a uniform draw in {@code [0, ceiling]}. Full jitter spreads
 * the retries of many runs that failed together (a worker crash takes dozens of chunks with it).
 */
public final class RetryPolicy {

  private final MonitorConfig.Retry config;
  private final Backoff backoff;
  private final DoubleSupplier random;

  public RetryPolicy(MonitorConfig.Retry config, DoubleSupplier random) {
    this.config = config;
    this.random = random;
    Duration cap =
        config.maxDelay().compareTo(config.initialDelay()) < 0
            ? config.initialDelay()
            : config.maxDelay();
    this.backoff =
        new Backoff(
            config.initialDelay(),
            Math.max(1.0, config.multiplier()),
            cap,
            Math.max(0, config.maxAttempts() - 1),
            config.fullJitter(),
            false);
  }

  /** Whether a run that has had {@code attempts} attempts may have another. */
  public boolean allowsAnotherAfter(int attempts) {
    return attempts < config.maxAttempts();
  }

  /** The wait before the retry that follows {@code failedAttempts} attempts (counting from 1). */
  public Duration delayAfter(int failedAttempts) {
    return backoff.delay(Math.max(1, failedAttempts), Optional.empty(), random);
  }
}
