package io.backfill.contracts.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = Backoff.of(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 5);

  @Test
  void ceilingGrowsByTheMultiplierUpToTheCap() {
    assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.ceiling(4)).isEqualTo(Duration.ofMillis(800));
    assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.ceiling(60)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void fullJitterDrawsUniformlyFromZeroToTheCeiling() {
    assertThat(backoff.delay(3, Optional.empty(), () -> 0.0)).isEqualTo(Duration.ZERO);
    assertThat(backoff.delay(3, Optional.empty(), () -> 0.5)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.delay(3, Optional.empty(), () -> 0.99999)).isEqualTo(Duration.ofMillis(400));
  }

  @Test
  void withoutJitterTheWaitIsTheCeiling() {
    Backoff fixed =
        new Backoff(Duration.ofMillis(100), 3.0, Duration.ofSeconds(2), 3, false, false);

    assertThat(fixed.delay(2, Optional.empty(), () -> 0.0)).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void retryAfterReplacesTheComputedWaitWithinTheCap() {
    assertThat(backoff.delay(1, Optional.of(Duration.ofMillis(700)), () -> 0.0))
        .isEqualTo(Duration.ofMillis(700));
    assertThat(backoff.delay(1, Optional.of(Duration.ofSeconds(30)), () -> 0.0))
        .isEqualTo(Duration.ofSeconds(1));
    Backoff patient =
        new Backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 5, true, true);
    assertThat(patient.delay(1, Optional.of(Duration.ofSeconds(30)), () -> 0.0))
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void allowsOnlyTheConfiguredNumberOfRetries() {
    assertThat(backoff.allows(0)).isFalse();
    assertThat(backoff.allows(1)).isTrue();
    assertThat(backoff.allows(5)).isTrue();
    assertThat(backoff.allows(6)).isFalse();
  }

  @Test
  void refusesAShrinkingOrNegativeSchedule() {
    assertThatThrownBy(() -> Backoff.of(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Backoff.of(Duration.ofMillis(1), 0.5, Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
