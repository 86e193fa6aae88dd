package io.backfill.cli.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.stack.LocalStack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The per-process figures of a bench over the completed runs of each scenario: CPU share, peak RSS,
 * the idle rate and the CPU cost per message and per chunk at steady state (raw and net of the idle
 * rate), with an {@code all processes} row summing the stack's processes run by run.
 */
final class ProcessTable {

  /** The row that sums every process of the stack (not the bench's own JVM). */
  static final String ALL = "all processes";

  /**
   * The row that sums the pipeline's own processes: the stack without the simulator, which stands
   * in for Microsoft Graph and the LLM, whose CPU is not on the pipeline's machines in production.
   */
  static final String PIPELINE = "pipeline (without the simulator)";

  /** The figures of a row, in column order: name in the JSON and how a usage gives it. */
  private static final Map<String, ToDoubleFunction<ProcessUsage>> FIGURES = new LinkedHashMap<>();

  static {
    FIGURES.put("cpuPercent", u -> u.cpuShare() * 100);
    FIGURES.put("peakRssMib", u -> u.peakRssKib() / 1024.0);
    FIGURES.put("idleCpuMsPerSecond", ProcessUsage::idleCpuMsPerSecond);
    FIGURES.put("cpuMsPerMessage", ProcessUsage::cpuMsPerMessage);
    FIGURES.put("cpuMsPerChunk", ProcessUsage::cpuMsPerChunk);
    FIGURES.put("cpuMsPerMessageNetOfIdle", ProcessUsage::cpuMsPerMessageNetOfIdle);
    FIGURES.put("cpuMsPerChunkNetOfIdle", ProcessUsage::cpuMsPerChunkNetOfIdle);
    FIGURES.put("jitMsPerMessage", ProcessUsage::jitMsPerMessage);
    FIGURES.put("gcMsPerMessage", ProcessUsage::gcMsPerMessage);
  }

  private record Key(String scenario, String process) {}

  private final Map<Key, Map<String, List<Double>>> series = new LinkedHashMap<>();

  ProcessTable(List<RunRecord> runs) {
    for (RunRecord run : runs) {
      if (!run.completed() || run.processes().isEmpty()) {
        continue;
      }
      List<ProcessUsage> rows = new ArrayList<>(run.processes());
      rows.add(sum(run.processes()));
      rows.add(
          sum(
              PIPELINE,
              run.processes().stream()
                  .filter(p -> !p.process().equals(LocalStack.SIMULATOR))
                  .toList()));
      for (ProcessUsage usage : rows) {
        Map<String, List<Double>> values =
            series.computeIfAbsent(
                new Key(run.scenario(), usage.process()), k -> new LinkedHashMap<>());
        FIGURES.forEach(
            (name, figure) -> {
              double value = figure.applyAsDouble(usage);
              if (!Double.isNaN(value)) {
                values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
              }
            });
      }
    }
  }

  /**
   * The stack's processes summed: a figure is the sum of the processes that have it (NaN when none
   * has); the bench's own JVM is left out.
   */
  static ProcessUsage sum(List<ProcessUsage> processes) {
    return sum(ALL, processes);
  }

  private static ProcessUsage sum(String name, List<ProcessUsage> processes) {
    List<ProcessUsage> stack =
        processes.stream().filter(p -> !p.process().equals(StackCpu.THIS_JVM)).toList();
    long rss = stack.stream().mapToLong(p -> Math.max(0, p.peakRssKib())).sum();
    return new ProcessUsage(
        name,
        total(stack, ProcessUsage::cpuSeconds),
        total(stack, ProcessUsage::cpuShare),
        rss,
        total(stack, ProcessUsage::idleCpuMsPerSecond),
        total(stack, ProcessUsage::cpuMsPerMessage),
        total(stack, ProcessUsage::cpuMsPerMessageNetOfIdle),
        total(stack, ProcessUsage::jitMsPerMessage),
        total(stack, ProcessUsage::gcMsPerMessage));
  }

  private static double total(List<ProcessUsage> rows, ToDoubleFunction<ProcessUsage> figure) {
    double[] values = rows.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).toArray();
    return values.length == 0 ? Double.NaN : java.util.Arrays.stream(values).sum();
  }

  boolean isEmpty() {
    return series.isEmpty();
  }

  Grid grid() {
    Grid table =
        Grid.of(
            "SCENARIO",
            "PROCESS",
            "CPU % MEDIAN",
            "CPU % MIN",
            "CPU % MAX",
            "PEAK RSS MiB MEDIAN",
            "PEAK RSS MiB MAX",
            "IDLE CPU ms/s",
            "CPU ms/msg",
            "CPU ms/chunk",
            "NET ms/msg",
            "NET ms/chunk",
            "JIT ms/msg",
            "GC ms/msg");
    series.forEach(
        (key, values) ->
            table.row(
                key.scenario(),
                key.process(),
                median(values, "cpuPercent"),
                format(values, "cpuPercent", Stats::min),
                format(values, "cpuPercent", Stats::max),
                median(values, "peakRssMib"),
                format(values, "peakRssMib", Stats::max),
                median(values, "idleCpuMsPerSecond"),
                median(values, "cpuMsPerMessage"),
                median(values, "cpuMsPerChunk"),
                median(values, "cpuMsPerMessageNetOfIdle"),
                median(values, "cpuMsPerChunkNetOfIdle"),
                median(values, "jitMsPerMessage"),
                median(values, "gcMsPerMessage")));
    return table;
  }

  private static String median(Map<String, List<Double>> values, String figure) {
    return format(values, figure, Stats::median);
  }

  private static String format(
      Map<String, List<Double>> values, String figure, ToDoubleFunction<Stats> pick) {
    List<Double> all = values.get(figure);
    return all == null ? "-" : Numbers.format(pick.applyAsDouble(Stats.of(all)));
  }

  /** One object per scenario and process: each figure's values, median, min and max. */
  void json(ArrayNode into) {
    series.forEach(
        (key, values) -> {
          ObjectNode node = into.addObject();
          node.put("scenario", key.scenario());
          node.put("process", key.process());
          values.forEach((name, list) -> statsNode(node.putObject(name), list));
        });
  }

  private static void statsNode(ObjectNode node, List<Double> values) {
    Stats s = Stats.of(values);
    ArrayNode all = node.putArray("values");
    values.forEach(all::add);
    node.put("median", s.median());
    node.put("min", s.min());
    node.put("max", s.max());
  }

  /** A run's process as JSON, a figure not measured as null. */
  static void json(ObjectNode node, ProcessUsage usage) {
    node.put("process", usage.process())
        .put("cpuSeconds", usage.cpuSeconds())
        .put("cpuShare", usage.cpuShare())
        .put("peakRssKib", usage.peakRssKib());
    FIGURES.forEach(
        (name, figure) -> {
          if (!name.equals("cpuPercent") && !name.equals("peakRssMib")) {
            double value = figure.applyAsDouble(usage);
            if (Double.isNaN(value)) {
              node.putNull(name);
            } else {
              node.put(name, value);
            }
          }
        });
  }
}
