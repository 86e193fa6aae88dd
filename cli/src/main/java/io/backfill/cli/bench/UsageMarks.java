package io.backfill.cli.bench;

import io.backfill.cli.bench.ProcFs.ThreadKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CPU readings of one run and what they turn into per process: the idle baseline (stack up, no
 * job), the whole run (submit to completed) and the steady state (from the start mark, taken once
 * the first chunks are extracted, to the end of the job).
 *
 * @param idleStart start of the idle baseline, null when it was not measured
 * @param idleEnd end of the idle baseline, null when it was not measured
 * @param steadyStart the start mark, null when the job ended before it
 * @param steadyMessages messages extracted from the start mark to the end
 */
record UsageMarks(
    StackCpu idleStart,
    StackCpu idleEnd,
    StackCpu runStart,
    StackCpu steadyStart,
    long steadyMessages,
    StackCpu end) {

  double idleSeconds() {
    return idleStart == null ? Double.NaN : idleEnd.secondsSince(idleStart);
  }

  double steadySeconds() {
    return steadyStart == null ? Double.NaN : end.secondsSince(steadyStart);
  }

  /** Per process, in reading order; peak RSS read now (before the stack stops). */
  List<ProcessUsage> usage(int cores) {
    double seconds = end.secondsSince(runStart);
    Map<String, Double> run = end.usedSince(runStart);
    Map<String, Double> idle = idleStart == null ? Map.of() : idleEnd.usedSince(idleStart);
    Map<String, Double> steady =
        steadyStart == null || steadyMessages <= 0 ? Map.of() : end.usedSince(steadyStart);
    Map<String, Double> jit =
        steady.isEmpty() ? Map.of() : end.usedSince(steadyStart, ThreadKind.JIT);
    Map<String, Double> gc =
        steady.isEmpty() ? Map.of() : end.usedSince(steadyStart, ThreadKind.GC);
    List<ProcessUsage> usage = new ArrayList<>();
    run.forEach(
        (name, used) -> {
          double idleRate =
              idle.containsKey(name) ? idle.get(name) * 1000 / idleSeconds() : Double.NaN;
          double perMessage =
              steady.containsKey(name) ? steady.get(name) * 1000 / steadyMessages : Double.NaN;
          // Without an idle baseline there is nothing to take away: the net figure is not known.
          double net =
              (steady.getOrDefault(name, Double.NaN) * 1000 - idleRate * steadySeconds())
                  / steadyMessages;
          usage.add(
              new ProcessUsage(
                  name,
                  used,
                  used / (seconds * cores),
                  peakRssKib(name),
                  idleRate,
                  perMessage,
                  net,
                  jit.containsKey(name) ? jit.get(name) * 1000 / steadyMessages : Double.NaN,
                  gc.containsKey(name) ? gc.get(name) * 1000 / steadyMessages : Double.NaN));
        });
    return usage;
  }

  private long peakRssKib(String process) {
    if (process.equals(StackCpu.POSTGRES)) {
      // Shared memory counts once per backend: the sum overstates.
      long rss = 0;
      for (long pid : end.backendPids()) {
        rss += ProcFs.peakRssKib(pid).orElse(0);
      }
      return rss;
    }
    return ProcFs.peakRssKib(end.pid(process)).orElse(-1);
  }
}
