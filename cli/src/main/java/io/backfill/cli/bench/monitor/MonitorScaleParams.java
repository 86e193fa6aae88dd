package io.backfill.cli.bench.monitor;

import java.time.Duration;
import java.util.Map;

/**
 * What the monitor-scale benchmark (P3) plays: {@code runs} extract attempts heartbeating every
 * {@code heartbeatInterval} for a steady window of {@code duration}, of which {@code dieFraction}
 * stop heartbeating at random moments within the window.
 *
 * @param monitorProperties system properties for the heartbeat-monitor process on top of the broker
 *     and database (e.g. {@code backfill.monitor.extract.stale-floor=1s}); empty for the production
 *     rules
 */
public record MonitorScaleParams(
    int runs,
    Duration heartbeatInterval,
    Duration duration,
    double dieFraction,
    Map<String, String> monitorProperties) {

  public MonitorScaleParams {
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be at least 1, was " + runs);
    }
    if (heartbeatInterval == null || heartbeatInterval.toMillis() < 1) {
      throw new IllegalArgumentException("heartbeatInterval must be positive");
    }
    if (duration == null || duration.toMillis() < 1) {
      throw new IllegalArgumentException("duration must be positive");
    }
    if (!(dieFraction >= 0 && dieFraction <= 1)) {
      throw new IllegalArgumentException("dieFraction must be 0 to 1, was " + dieFraction);
    }
    monitorProperties = Map.copyOf(monitorProperties == null ? Map.of() : monitorProperties);
  }

  /** With the monitor's production rules. */
  public MonitorScaleParams(
      int runs, Duration heartbeatInterval, Duration duration, double dieFraction) {
    this(runs, heartbeatInterval, duration, dieFraction, Map.of());
  }

  /** The figures: 10,000 runs every 5 s for 5 minutes, 1 % made to die. */
  public static MonitorScaleParams defaults() {
    return new MonitorScaleParams(10_000, Duration.ofSeconds(5), Duration.ofMinutes(5), 0.01);
  }

  /** How many attempts die: the fraction of the runs, rounded. */
  public int dying() {
    return (int) Math.round(runs * dieFraction);
  }
}
