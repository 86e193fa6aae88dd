package io.backfill.cli.bench;

import io.backfill.cli.bench.monitor.MonitorScaleBenchmark;
import io.backfill.cli.bench.monitor.MonitorScaleParams;
import io.backfill.cli.bench.monitor.MonitorScaleResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * P3, the heartbeat-monitor at scale, through the monitor-scale driver (package {@code monitor}):
 * the one class of the bench that calls it.
 */
final class MonitorScale {

  /** The figures of a P3 run, by name, as {@link RunRecord#figures()} holds them. */
  static final String INGEST = "heartbeats ingested/s";

  static final String TICK_P99 = "tick p99 s";
  static final String DETECTION_P50 = "detection p50 s";
  static final String DETECTION_P99 = "detection p99 s";
  static final String DETECTION_BOUND = "staleAfter + tick s";
  static final String FALSE_TIMEOUTS = "false timeouts";
  static final String UNDETECTED = "deaths not detected";

  private MonitorScale() {}

  /** One P3 run: the driver starts its own broker, database and heartbeat-monitor. */
  static RunRecord run(
      Path projectRoot,
      int syntheticRuns,
      Duration heartbeatInterval,
      Duration duration,
      double dieFraction,
      int run,
      PrintWriter log) {
    double load = Machine.loadAverage();
    MonitorScaleResult r =
        MonitorScaleBenchmark.run(
            projectRoot,
            new MonitorScaleParams(syntheticRuns, heartbeatInterval, duration, dieFraction),
            log);
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put(INGEST, r.heartbeatsIngestedPerSecond());
    figures.put(TICK_P99, r.tickP99Seconds());
    figures.put(DETECTION_P50, r.detectionP50Seconds());
    figures.put(DETECTION_P99, r.detectionP99Seconds());
    figures.put(DETECTION_BOUND, r.staleAfterSeconds() + r.tickSeconds());
    figures.put(FALSE_TIMEOUTS, (double) r.falseTimeouts());
    figures.put(UNDETECTED, (double) (r.died() - r.detected()));
    figures.put("died", (double) r.died());
    figures.put("detected", (double) r.detected());
    String detail =
        String.format(
            Locale.ROOT,
            "%,d runs every %d s for %d s: %d died, %d detected, %d false timeouts; staleAfter %.1f"
                + " s, tick %.1f s",
            syntheticRuns,
            heartbeatInterval.toSeconds(),
            duration.toSeconds(),
            r.died(),
            r.detected(),
            r.falseTimeouts(),
            r.staleAfterSeconds(),
            r.tickSeconds());
    log.printf(
        Locale.ROOT,
        "P3 run %d: %.0f heartbeats/s ingested, tick p99 %.3f s, detection p50 %.1f s p99 %.1f s"
            + " (staleAfter + tick %.1f s), %d/%d deaths detected, %d false timeouts (load %.2f)%n",
        run,
        r.heartbeatsIngestedPerSecond(),
        r.tickP99Seconds(),
        r.detectionP50Seconds(),
        r.detectionP99Seconds(),
        r.staleAfterSeconds() + r.tickSeconds(),
        r.detected(),
        r.died(),
        r.falseTimeouts(),
        load);
    log.flush();
    return new RunRecord("P3", run, true, detail, figures, List.of(), load);
  }
}
