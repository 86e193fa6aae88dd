package io.backfill.gateway.domain;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * One token bucket per key (a tenant): {@code burst} requests back to back, then {@code permits}
 * per {@code period}, refilled continuously. In this process's memory only: each gateway instance
 * limits on its own. A key forgotten for lack of room (see {@link RecentKeys}) starts again full,
 * which only ever errs towards letting a request through.
 */
public final class TokenBuckets {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /**
   * Whether a request may go ahead; if not, how long until it could, and whether this is the first
   * refusal since the key's last allowed request (the moment to log it, once per burst of
   * refusals).
   */
  public record Decision(boolean allowed, long retryAfterSeconds, boolean firstRefusal) {}

  private final double capacity;
  private final double tokensPerNano;
  private final LongSupplier nanoTime;
  private final RecentKeys<Bucket> buckets;

  private static final class Bucket {
    double tokens;
    long refilledAt;
    boolean refusing;

    Bucket(double tokens, long refilledAt) {
      this.tokens = tokens;
      this.refilledAt = refilledAt;
    }
  }

  public TokenBuckets(int permits, Duration period, int burst, int maxKeys) {
    this(permits, period, burst, maxKeys, System::nanoTime);
  }

  TokenBuckets(int permits, Duration period, int burst, int maxKeys, LongSupplier nanoTime) {
    if (permits < 1 || burst < 1 || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException(
          "a rate needs permits ≥ 1, burst ≥ 1 and a positive period; got "
              + permits
              + " per "
              + period
              + ", burst "
              + burst);
    }
    this.capacity = burst;
    this.tokensPerNano = permits / (double) period.toNanos();
    this.nanoTime = nanoTime;
    this.buckets = new RecentKeys<>(maxKeys);
  }

  /** Takes a token from the key's bucket if there is one. */
  public synchronized Decision tryAcquire(String key) {
    long now = nanoTime.getAsLong();
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity, now));
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.refilledAt) * tokensPerNano);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refusing = false;
      return new Decision(true, 0, false);
    }
    boolean first = !bucket.refusing;
    bucket.refusing = true;
    double nanosToNextToken = (1 - bucket.tokens) / tokensPerNano;
    // Retry-After is whole seconds: round up, so a client that waits that long gets through.
    long seconds = (long) Math.ceil(nanosToNextToken / NANOS_PER_SECOND);
    return new Decision(false, Math.max(1, seconds), first);
  }
}
