package io.backfill.cli.bench.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The P3 driver end to end at a small size with shortened rules (heartbeat 1 s, staleAfter = max(1
 * s floor, 3 × 1 s) = 3 s, tick 2 s): the packaged heartbeat-monitor, a real broker and a fresh
 * database. It checks what the driver reports, never how fast anything was.
 */
class MonitorScaleBenchmarkTest {

  private static final Path PROJECT_ROOT = Path.of("").toAbsolutePath().getParent();

  @Test
  void everyDeadAttemptIsDetectedWithinStaleAfterPlusTwoTicksAndNoLiveOneIsTimedOut() {
    assertThat(PROJECT_ROOT.resolve("heartbeat-monitor/target/quarkus-app/quarkus-run.jar"))
        .as("the monitor's jar (the reactor packages heartbeat-monitor before cli)")
        .satisfies(jar -> assertThat(Files.isRegularFile(jar)).isTrue());
    MonitorScaleParams params =
        new MonitorScaleParams(
            200,
            Duration.ofSeconds(1),
            Duration.ofSeconds(10),
            0.1,
            Map.of(
                "backfill.monitor.extract.stale-floor", "1s",
                // A tick long against what a loaded machine adds (ingest, sweep, relay, read).
                "backfill.monitor.reaper.tick", "2s",
                // Well below staleAfter, so a stuck or lagging ledger makes the reaper wait.
                "backfill.monitor.reaper.ingest-silence", "1500ms",
                "backfill.monitor.reaper.lag-threshold-records", "400",
                "backfill.monitor.relay.interval", "100ms"));
    StringWriter out = new StringWriter();

    MonitorScaleResult result =
        MonitorScaleBenchmark.run(PROJECT_ROOT, params, new PrintWriter(out, true));
    System.out.print(out);

    assertThat(result.staleAfterSeconds()).as(out.toString()).isEqualTo(3.0);
    assertThat(result.tickSeconds()).isEqualTo(2.0);
    assertThat(result.died()).as(out.toString()).isEqualTo(20);
    assertThat(result.detected()).as(out.toString()).isEqualTo(result.died());
    assertThat(result.falseTimeouts()).as(out.toString()).isZero();
    // A timeout cannot come before staleAfter of silence; it must come within two ticks after.
    assertThat(result.detectionP50Seconds()).as(out.toString()).isGreaterThanOrEqualTo(3.0);
    assertThat(result.detectionP99Seconds())
        .as(out.toString())
        .isLessThanOrEqualTo(result.staleAfterSeconds() + 2 * result.tickSeconds());
    // 200 attempts a second, fewer as the victims die (more while a backlog is applied).
    assertThat(result.heartbeatsIngestedPerSecond()).as(out.toString()).isBetween(100.0, 400.0);
    assertThat(result.tickP99Seconds()).isPositive();
    assertThat(out.toString()).contains("steady window of 10 s begins").contains("done:");
  }

  @Test
  void durationsAreReadAsTheMonitorReadsThem() {
    assertThat(MonitorScaleBenchmark.parseDuration("200ms")).isEqualTo(Duration.ofMillis(200));
    assertThat(MonitorScaleBenchmark.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(MonitorScaleBenchmark.parseDuration("5")).isEqualTo(Duration.ofSeconds(5));
    assertThat(MonitorScaleBenchmark.parseDuration("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    assertThat(MonitorScaleBenchmark.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void percentilesAreNearestRank() {
    long[] nanos = {1_000_000_000L, 2_000_000_000L, 3_000_000_000L, 4_000_000_000L};
    assertThat(MonitorScaleBenchmark.percentile(nanos, 0.5)).isCloseTo(2.0, within(1e-9));
    assertThat(MonitorScaleBenchmark.percentile(nanos, 0.99)).isCloseTo(4.0, within(1e-9));
    assertThat(MonitorScaleBenchmark.percentile(new long[0], 0.5)).isNaN();
  }
}
