package io.backfill.cli.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FormatsTest {

  @Test
  void countsHaveThousandsSeparatorsWhateverTheLocale() {
    assertThat(Formats.count(5_000)).isEqualTo("5,000");
    assertThat(Formats.count(12)).isEqualTo("12");
  }

  @Test
  void millisecondsReadAsTheLargestSensibleUnit() {
    assertThat(Formats.millis(850)).isEqualTo("850 ms");
    assertThat(Formats.millis(16_000)).isEqualTo("16.0 s");
    assertThat(Formats.millis(125_000)).isEqualTo("2 min 05 s");
    assertThat(Formats.millis(3_720_000)).isEqualTo("1 h 02 min");
  }

  @Test
  void aRateOverNoTimeIsADash() {
    assertThat(Formats.rate(5_000, Duration.ofSeconds(40))).isEqualTo("125.0/s");
    assertThat(Formats.rate(5_000, Duration.ZERO)).isEqualTo("-");
  }

  @Test
  void instantsAreShownToTheSecondInUtc() {
    assertThat(Formats.instant(Instant.parse("2024-01-01T10:00:00.123456Z")))
        .isEqualTo("2024-01-01T10:00:00Z");
  }
}
