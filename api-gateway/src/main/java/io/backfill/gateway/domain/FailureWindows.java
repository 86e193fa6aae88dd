package io.backfill.gateway.domain;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Counts failures per key (a client address, an API-key prefix) in a fixed window that opens with
 * the first failure: once {@code maxFailures} are counted, the key is blocked until the window
 * ends, then starts afresh. In this process's memory only, bounded by {@link RecentKeys}.
 */
public final class FailureWindows {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final int maxFailures;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private final RecentKeys<Window> windows;

  private static final class Window {
    final long openedAt;
    int failures;

    Window(long openedAt) {
      this.openedAt = openedAt;
    }
  }

  public FailureWindows(int maxFailures, Duration window, int maxKeys) {
    this(maxFailures, window, maxKeys, System::nanoTime);
  }

  FailureWindows(int maxFailures, Duration window, int maxKeys, LongSupplier nanoTime) {
    if (maxFailures < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "failure limits need maxFailures ≥ 1 and a positive window; got "
              + maxFailures
              + " per "
              + window);
    }
    this.maxFailures = maxFailures;
    this.windowNanos = window.toNanos();
    this.nanoTime = nanoTime;
    this.windows = new RecentKeys<>(maxKeys);
  }

  /** Seconds (at least 1) until the key may try again, or 0 when it is not blocked. */
  public synchronized long blockedForSeconds(String key) {
    long now = nanoTime.getAsLong();
    Window window = current(key, now);
    if (window == null || window.failures < maxFailures) {
      return 0;
    }
    long remaining = window.openedAt + windowNanos - now;
    return Math.max(1, (long) Math.ceil(remaining / (double) NANOS_PER_SECOND));
  }

  /**
   * Counts one failure of the key; true when this failure is the one that blocks it, which happens
   * once per window (the moment to log it).
   */
  public synchronized boolean recordFailure(String key) {
    long now = nanoTime.getAsLong();
    Window window = current(key, now);
    if (window == null) {
      window = new Window(now);
      windows.put(key, window);
    }
    window.failures++;
    return window.failures == maxFailures;
  }

  private Window current(String key, long now) {
    Window window = windows.get(key);
    if (window != null && now - window.openedAt >= windowNanos) {
      windows.remove(key);
      return null;
    }
    return window;
  }
}
