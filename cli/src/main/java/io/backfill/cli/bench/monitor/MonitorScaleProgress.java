package io.backfill.cli.bench.monitor;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Paces a monitor-scale run and logs a progress line every 30 s. */
final class MonitorScaleProgress {

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

  private final PrintWriter log;
  private final HeartbeatFleet fleet;
  private final TimeoutWatch watch;
  private final String monitorUrl;
  private final long started = System.nanoTime();
  private long nextLine = System.nanoTime() + PROGRESS_EVERY.toNanos();

  MonitorScaleProgress(
      PrintWriter log, HeartbeatFleet fleet, TimeoutWatch watch, String monitorUrl) {
    this.log = log;
    this.fleet = fleet;
    this.watch = watch;
    this.monitorUrl = monitorUrl;
  }

  // The benchmark's own clock: parks in steps of at most a second, checking the threads.
  void waitUntil(long deadlineNanos, String phase) {
    long now;
    while ((now = System.nanoTime()) < deadlineNanos) {
      fleet.check();
      watch.check();
      if (now >= nextLine) {
        line(phase);
        nextLine += PROGRESS_EVERY.toNanos();
      }
      LockSupport.parkNanos(Math.min(deadlineNanos - now, TimeUnit.SECONDS.toNanos(1)));
    }
  }

  private void line(String phase) {
    MonitorMetrics metrics = MonitorMetrics.scrape(monitorUrl);
    List<TimeoutWatch.Timeout> timeouts = watch.timeouts();
    long falseOnes = timeouts.stream().filter(TimeoutWatch.Timeout::isFalse).count();
    MonitorScaleBenchmark.say(
        log,
        "%s %d s: sent %,d (%,d heartbeats, %d failed), ledger applied %,.0f, lag %,.0f;"
            + " died %d, timeouts seen %d (%d false)",
        phase,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
        fleet.sent(),
        fleet.heartbeats(),
        fleet.sendFailures(),
        metrics.sum("backfill_ledger_applied_events_total"),
        metrics.sum("backfill_ledger_lag_records"),
        fleet.died(),
        timeouts.size(),
        falseOnes);
  }
}
