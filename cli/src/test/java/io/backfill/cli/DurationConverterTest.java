package io.backfill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsShortAndIsoForms() {
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("3s")).isEqualTo(Duration.ofSeconds(3));
    assertThat(converter.convert("3")).isEqualTo(Duration.ofSeconds(3));
    assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(converter.convert("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(DurationConverter.format(Duration.ofSeconds(3))).isEqualTo("3s");
    assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @Test
  void rejectsAnythingElseSayingWhatItExpects() {
    assertThatThrownBy(() -> converter.convert("soon"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("like 500ms, 30s, 2m or PT30S");
  }
}
