package io.backfill.gateway.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The in-memory counters behind the gateway's abuse limits, on a clock the test moves. */
class AbuseLimitCountersTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }

  @Test
  void aBucketAllowsItsBurstThenOnePermitPerSliceOfThePeriodWithRetryAfterRoundedUp() {
    TokenBuckets buckets = new TokenBuckets(6, Duration.ofMinutes(1), 3, 100, nanos::get);

    for (int i = 0; i < 3; i++) {
      assertThat(buckets.tryAcquire("acme").allowed()).isTrue();
    }
    TokenBuckets.Decision refused = buckets.tryAcquire("acme");
    TokenBuckets.Decision again = buckets.tryAcquire("acme");

    // 6 per minute: one token every 10 s.
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterSeconds()).isEqualTo(10);
    assertThat(refused.firstRefusal()).isTrue();
    assertThat(again.firstRefusal()).isFalse();
    assertThat(buckets.tryAcquire("globex").allowed()).as("another tenant's bucket").isTrue();

    advance(Duration.ofMillis(9_500));
    assertThat(buckets.tryAcquire("acme").retryAfterSeconds()).isEqualTo(1);
    advance(Duration.ofMillis(500));
    assertThat(buckets.tryAcquire("acme").allowed()).isTrue();
    assertThat(buckets.tryAcquire("acme").firstRefusal()).isTrue();
  }

  @Test
  void aQuietBucketRefillsToItsBurstAndNoFurther() {
    TokenBuckets buckets = new TokenBuckets(60, Duration.ofMinutes(1), 2, 100, nanos::get);
    buckets.tryAcquire("acme");
    buckets.tryAcquire("acme");

    advance(Duration.ofHours(1));

    assertThat(buckets.tryAcquire("acme").allowed()).isTrue();
    assertThat(buckets.tryAcquire("acme").allowed()).isTrue();
    assertThat(buckets.tryAcquire("acme").allowed()).isFalse();
  }

  @Test
  void failuresBlockAKeyForTheRestOfTheirWindowThenItStartsAfresh() {
    FailureWindows windows = new FailureWindows(3, Duration.ofSeconds(60), 100, nanos::get);

    assertThat(windows.recordFailure("203.0.113.7")).isFalse();
    advance(Duration.ofSeconds(20));
    assertThat(windows.recordFailure("203.0.113.7")).isFalse();
    assertThat(windows.blockedForSeconds("203.0.113.7")).isZero();
    assertThat(windows.recordFailure("203.0.113.7")).as("the blocking failure, once").isTrue();
    assertThat(windows.recordFailure("203.0.113.7")).isFalse();

    assertThat(windows.blockedForSeconds("203.0.113.7")).isEqualTo(40);
    assertThat(windows.blockedForSeconds("203.0.113.8")).isZero();
    advance(Duration.ofMillis(39_001));
    assertThat(windows.blockedForSeconds("203.0.113.7")).isEqualTo(1);
    advance(Duration.ofMillis(999));
    assertThat(windows.blockedForSeconds("203.0.113.7")).isZero();
    assertThat(windows.recordFailure("203.0.113.7")).isFalse();
  }

  @Test
  void theLeastRecentlySeenKeyIsForgottenBeyondTheBound() {
    FailureWindows windows = new FailureWindows(1, Duration.ofSeconds(60), 2, nanos::get);
    windows.recordFailure("a");
    windows.recordFailure("b");
    windows.blockedForSeconds("a");

    windows.recordFailure("c");

    assertThat(windows.blockedForSeconds("a")).isPositive();
    assertThat(windows.blockedForSeconds("b")).as("forgotten").isZero();
    assertThat(windows.blockedForSeconds("c")).isPositive();
  }

  @Test
  void aTenantHoldsAtMostItsStreamsAndAReleasedSlotIsFreedOnce() {
    EventStreamSlots slots = new EventStreamSlots(2);
    EventStreamSlots.Slot first = slots.tryOpen("acme").orElseThrow();
    slots.tryOpen("acme").orElseThrow();

    assertThat(slots.tryOpen("acme")).isEmpty();
    assertThat(slots.tryOpen("globex")).isPresent();

    first.release();
    first.release();
    assertThat(slots.openStreams("acme")).isEqualTo(1);
    assertThat(slots.tryOpen("acme")).isPresent();
    assertThat(slots.tryOpen("acme")).isEmpty();
  }
}
