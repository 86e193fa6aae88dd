package io.backfill.cli.bench;

import java.util.List;

/**
 * One figure of a scenario over its runs: the values of the runs that completed, how many runs were
 * attempted, and the target its median is checked against (null: reported, no target).
 */
public record Figure(
    String scenario, String name, String unit, List<Double> values, int runs, Target target) {

  public Figure {
    values = List.copyOf(values);
  }

  public boolean measured() {
    return !values.isEmpty();
  }

  public Stats stats() {
    return Stats.of(values);
  }

  /**
   * {@code met}, {@code missed}, {@code -} (no target) or {@code not measured} (no run completed).
   */
  public String verdict() {
    if (!measured()) {
      return "not measured";
    }
    if (target == null) {
      return "-";
    }
    return target.met(stats().median()) ? "met" : "missed";
  }
}
