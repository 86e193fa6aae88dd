package io.backfill.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** How numbers, durations and instants read in the CLI's output: the same everywhere. */
public final class Formats {

  private Formats() {}

  /** {@code 5,000}. */
  public static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /** {@code 850 ms}, {@code 16.0 s}, {@code 2 min 05 s}, {@code 1 h 02 min}. */
  public static String millis(long millis) {
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    long seconds = millis / 1000;
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, (seconds % 3600) / 60);
  }

  public static String duration(Duration duration) {
    return millis(Math.max(0, duration.toMillis()));
  }

  /** {@code 187.5/s}; a rate over no time is {@code -}. */
  public static String rate(long count, Duration over) {
    if (over.isZero() || over.isNegative()) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f/s", count * 1000.0 / over.toMillis());
  }

  /** An instant to the second, in UTC: {@code 2024-01-01T00:00:00Z}. */
  public static String instant(Instant instant) {
    return instant == null ? "-" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** A JSON instant field to the second, or {@code -}. */
  public static String instant(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "-";
    }
    try {
      return instant(Instant.parse(node.asText()));
    } catch (java.time.format.DateTimeParseException e) {
      return node.asText();
    }
  }

  /** A text field, or {@code -} when absent. */
  public static String text(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? "-" : node.asText();
  }

  /** A long field, or null when absent. */
  public static Long longOrNull(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? null : node.asLong();
  }

  /** The first {@code length} characters of a build SHA or id. */
  public static String shortened(String value, int length) {
    return value == null || value.length() <= length ? value : value.substring(0, length);
  }
}
