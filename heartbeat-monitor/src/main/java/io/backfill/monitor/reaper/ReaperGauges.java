package io.backfill.monitor.reaper;

import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.persistence.ReaperStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reaper's own gauges: how long sweeps take, when the last one ran (alert when it stops
 * moving), and the ledger's attempts by state, recounted every stats-interval.
 */
@ApplicationScoped
public class ReaperGauges {

  private static final List<String> ATTEMPT_STATES =
      List.of("running", "completed", "failed", "timed_out", "superseded", "fenced", "stopped");

  private final ReaperStore store;
  private final MonitorConfig config;
  private final MeterRegistry metrics;
  private final Timer sweepTimer;
  private final AtomicLong lastSweepEpochSeconds = new AtomicLong();
  private final Map<String, AtomicLong> attemptsByState = new ConcurrentHashMap<>();
  private volatile long statsCountedAtNanos;

  ReaperGauges(ReaperStore store, MonitorConfig config, MeterRegistry metrics) {
    this.store = store;
    this.config = config;
    this.metrics = metrics;
    this.sweepTimer =
        Timer.builder("backfill_reaper_sweep_duration")
            .description("Time one reaper sweep took")
            .publishPercentiles(0.5, 0.99)
            .register(metrics);
    // A gauge reads the object it was first registered with: replace one left by an earlier
    // instance (Quarkus tests restart the application in one JVM) so it reads this one.
    metrics.find("backfill_reaper_last_sweep_seconds").meters().forEach(metrics::remove);
    Gauge.builder("backfill_reaper_last_sweep_seconds", lastSweepEpochSeconds, AtomicLong::get)
        .description("Epoch seconds of the last reaper sweep")
        .strongReference(true)
        .register(metrics);
    metrics.find("backfill_ledger_attempts").meters().forEach(metrics::remove);
    for (String state : ATTEMPT_STATES) {
      AtomicLong count = attemptsByState.computeIfAbsent(state, s -> new AtomicLong());
      Gauge.builder("backfill_ledger_attempts", count, AtomicLong::get)
          .description("Attempts in the ledger by state, recounted every stats-interval")
          .tag("state", state)
          .strongReference(true)
          .register(metrics);
    }
  }

  /** Starts timing a sweep. */
  public Timer.Sample sweepStarted() {
    return Timer.start(metrics);
  }

  /** Records a sweep's end (whatever its outcome): its duration and the time it ended. */
  public void sweepEnded(Timer.Sample sample) {
    lastSweepEpochSeconds.set(Instant.now().getEpochSecond());
    metrics.counter("backfill_reaper_sweeps_total").increment();
    sample.stop(sweepTimer);
  }

  /** Recounts attempts by state when stats-interval has passed since the last count. */
  public void countAttemptsWhenDue() {
    long now = System.nanoTime();
    if (statsCountedAtNanos != 0
        && now - statsCountedAtNanos < config.reaper().statsInterval().toNanos()) {
      return;
    }
    statsCountedAtNanos = now;
    Map<String, Long> counts = QuarkusTransaction.requiringNew().call(store::countAttemptsByState);
    ATTEMPT_STATES.forEach(state -> attemptsByState.get(state).set(0));
    counts.forEach(
        (state, count) -> {
          AtomicLong gauge = attemptsByState.get(state);
          if (gauge != null) {
            gauge.set(count);
          }
        });
  }
}
