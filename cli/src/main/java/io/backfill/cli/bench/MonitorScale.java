package io.backfill.cli.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

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

  /** Why P3 cannot run in this build, or empty when it can. */
  static Optional<String> unavailable() {
    return Optional.of("the monitor-scale driver is not in this build");
  }

  static RunRecord run(
      Path projectRoot,
      int syntheticRuns,
      Duration heartbeatInterval,
      Duration duration,
      double dieFraction,
      int run,
      PrintWriter log) {
    throw new UnsupportedOperationException(unavailable().orElse("P3"));
  }
}
