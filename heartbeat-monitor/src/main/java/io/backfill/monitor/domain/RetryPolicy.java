package io.backfill.monitor.domain;

import io.backfill.monitor.config.MonitorConfig;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: before attempt {@code n + 1} a run waits a random time
 * between 0 and {@code min(maxDelay, initialDelay × multiplier^(n-1))}. Full jitter spreads the
 * retries of many runs that failed together (a worker crash takes dozens of chunks with it).
 */
public final class RetryPolicy {

  private final MonitorConfig.Retry config;
  private final DoubleSupplier random;

  public RetryPolicy(MonitorConfig.Retry config, DoubleSupplier random) {
    this.config = config;
    this.random = random;
  }

  /** Whether a run that has had {@code attempts} attempts may have another. */
  public boolean allowsAnotherAfter(int attempts) {
    return attempts < config.maxAttempts();
  }

  /** The wait before the retry that follows {@code failedAttempts} attempts (counting from 1). */
  public Duration delayAfter(int failedAttempts) {
    double ceiling =
        config.initialDelay().toMillis()
            * Math.pow(config.multiplier(), Math.max(0, failedAttempts - 1));
    long capped = (long) Math.min(config.maxDelay().toMillis(), ceiling);
    long delay = config.fullJitter() ? (long) (random.getAsDouble() * capped) : capped;
    return Duration.ofMillis(delay);
  }
}
