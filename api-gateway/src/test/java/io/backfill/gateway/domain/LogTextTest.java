package io.backfill.gateway.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

  @Test
  void lineBreaksAndOtherControlCharactersAreEscapedSoNoLineCanBeForged() {
    String forged = "inbox\r\n2026-12-07 INFO [io.backfill] admin logged in\u0000\u001b[31m\t";

    String safe = LogText.of(forged);

    assertThat(safe).doesNotContain("\r", "\n", "\u0000", "\u001b", "\t");
    assertThat(safe)
        .isEqualTo("inbox\\r\\n2026-12-07 INFO [io.backfill] admin logged in\\u0000\\u001b[31m\\t");
  }

  @Test
  void aBackslashIsDoubledSoAnEscapeInTheInputCannotPassForOneOfOurs() {
    assertThat(LogText.of("a\\nb")).isEqualTo("a\\\\nb");
  }

  @Test
  void unicodeLineSeparatorsAndUnpairedSurrogatesAreEscapedButPairsAreKept() {
    assertThat(LogText.of("a\u2028b\u2029c")).isEqualTo("a\\u2028b\\u2029c");
    assertThat(LogText.of("x\ud800y\udc00")).isEqualTo("x\\ud800y\\udc00");
    assertThat(LogText.of("mail 📧 ok")).isEqualTo("mail 📧 ok");
  }

  @Test
  void longValuesAreCutWithTheirLengthStated() {
    String safe = LogText.of("m".repeat(10_000));

    assertThat(safe).startsWith("m".repeat(LogText.MAX_CHARS)).endsWith("…(10000 chars)");
    assertThat(safe.length()).isLessThan(LogText.MAX_CHARS + 20);
  }

  @Test
  void nullAndOrdinaryTextAreUnchanged() {
    assertThat(LogText.of(null)).isEqualTo("null");
    assertThat(LogText.of("tenant-a/ana@contoso.com")).isEqualTo("tenant-a/ana@contoso.com");
  }
}
