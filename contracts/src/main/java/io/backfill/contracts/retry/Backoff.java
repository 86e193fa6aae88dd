package io.backfill.contracts.retry;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff, the one definition every retry loop uses. Before retry {@code n} (1 for the
 * first retry) the ceiling is {@code min(cap, initial × multiplier^(n-1))}; with full jitter the
 * wait is drawn uniformly from {@code [0, ceiling]}, without it the wait is the ceiling. A server's
 * Retry-After, when given, replaces the computed wait (still bounded by {@code cap} unless {@code
 * honourRetryAfterBeyondCap}). {@code maxRetries} bounds how many retries follow the first try.
 */
public record Backoff(
    Duration initial,
    double multiplier,
    Duration cap,
    int maxRetries,
    boolean fullJitter,
    boolean honourRetryAfterBeyondCap) {

  public Backoff {
    if (initial == null || initial.isNegative()) {
      throw new IllegalArgumentException("initial must be zero or more");
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier must be 1 or more");
    }
    if (cap == null || cap.compareTo(initial) < 0) {
      throw new IllegalArgumentException("cap must be at least initial");
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be zero or more");
    }
  }

  /** Full jitter, Retry-After bounded by the cap. */
  public static Backoff of(Duration initial, double multiplier, Duration cap, int maxRetries) {
    return new Backoff(initial, multiplier, cap, maxRetries, true, false);
  }

  /** True while retry number {@code retry} (1-based) is still allowed. */
  public boolean allows(int retry) {
    return retry >= 1 && retry <= maxRetries;
  }

  /** The ceiling of the wait before retry {@code retry} (1-based), without jitter. */
  public Duration ceiling(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retries are numbered from 1");
    }
    double millis = initial.toMillis() * Math.pow(multiplier, retry - 1);
    long capped = (long) Math.min(cap.toMillis(), millis);
    return Duration.ofMillis(capped);
  }

  /** The wait before retry {@code retry} (1-based), drawn with {@link ThreadLocalRandom}. */
  public Duration delay(int retry) {
    return delay(retry, Optional.empty(), () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The wait before retry {@code retry}, or the server's Retry-After when it gave one. */
  public Duration delay(int retry, Optional<Duration> retryAfter) {
    return delay(retry, retryAfter, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * The wait before retry {@code retry}; {@code random} yields values in {@code [0, 1)} and is a
   * parameter so tests can pin it.
   */
  public Duration delay(int retry, Optional<Duration> retryAfter, DoubleSupplier random) {
    if (retryAfter.isPresent() && !retryAfter.get().isNegative()) {
      Duration asked = retryAfter.get();
      return honourRetryAfterBeyondCap || asked.compareTo(cap) <= 0 ? asked : cap;
    }
    Duration ceiling = ceiling(retry);
    if (!fullJitter) {
      return ceiling;
    }
    // Full jitter: uniform on [0, ceiling], so many clients retrying together spread out.
    return Duration.ofMillis((long) (random.getAsDouble() * (ceiling.toMillis() + 1)));
  }
}
