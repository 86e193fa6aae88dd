package io.backfill.cli.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Median, min and max of one figure over a scenario's runs. The median of an even count is the mean
 * of the two middle values.
 */
public record Stats(double median, double min, double max, int count) {

  public static Stats of(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    double median =
        n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    return new Stats(median, sorted.get(0), sorted.get(n - 1), n);
  }
}
