package io.backfill.contracts.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowsTest {

  private static final Instant FROM = Instant.parse("2021-01-01T00:00:00Z");

  @Test
  void aWindowUpToFiveYearsIsAccepted() {
    assertThat(Windows.problemWith(FROM, FROM.plus(Duration.ofDays(1)))).isEmpty();
    assertThat(Windows.problemWith(FROM, FROM.plus(Windows.MAX))).isEmpty();
  }

  @Test
  void aWindowLongerThanTheMaximumIsRefusedNamingTheMaximum() {
    assertThat(Windows.problemWith(FROM, FROM.plus(Windows.MAX).plusSeconds(1)))
        .get()
        .asString()
        .contains("maximum of 1826 days");
  }

  @Test
  void fromMustBeBeforeTo() {
    assertThat(Windows.problemWith(FROM, FROM)).get().asString().contains("earlier");
    assertThat(Windows.problemWith(FROM.plusSeconds(1), FROM)).isPresent();
    assertThat(Windows.problemWith(null, FROM)).isPresent();
  }
}
