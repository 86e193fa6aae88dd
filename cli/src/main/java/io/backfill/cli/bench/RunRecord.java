package io.backfill.cli.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a scenario as measured: whether it completed (a run that did not is reported with why,
 * never timed), its raw figures by name and, where measured, per-process usage.
 *
 * @param loadAverage the one-minute load average when the run started
 */
public record RunRecord(
    String scenario,
    int run,
    boolean completed,
    String detail,
    Map<String, Double> figures,
    List<ProcessUsage> processes,
    double loadAverage) {

  public RunRecord {
    figures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(figures));
    processes = List.copyOf(processes);
  }

  public static RunRecord failed(String scenario, int run, String why, double loadAverage) {
    return new RunRecord(scenario, run, false, why, Map.of(), List.of(), loadAverage);
  }
}
