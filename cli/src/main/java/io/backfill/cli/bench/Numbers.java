package io.backfill.cli.bench;

import java.util.Locale;

/** How the bench prints a figure: enough digits to compare, no more. */
final class Numbers {

  private Numbers() {}

  /** {@code 2,013}, {@code 312.4}, {@code 0.93}, {@code 0}; NaN as {@code -}. */
  static String format(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "-";
    }
    double magnitude = Math.abs(value);
    // Counts and round thresholds: 0, 50, 2,000 rather than 0.00, 50.0.
    if (value == Math.rint(value)) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (magnitude >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    String decimals = String.format(Locale.ROOT, magnitude >= 10 ? "%.1f" : "%.2f", value);
    // 144.99999 (1.45 × 100 in binary) is 145, not 145.0: a whole figure prints as one.
    return decimals.matches("-?[0-9]+\\.0+")
        ? decimals.substring(0, decimals.indexOf('.'))
        : decimals;
  }
}
