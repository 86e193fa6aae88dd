package io.backfill.monitor.reaper;

import io.backfill.monitor.config.MonitorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs the reaper every {@code backfill.monitor.reaper.tick} after the previous sweep ended: one
 * thread with a fixed delay, so a slow sweep is never overlapped by the next (skip-if-running).
 * Quarkus' {@code @Scheduled} checks its triggers once a second, too coarse for sub-second ticks in
 * tests, hence a plain scheduled executor.
 */
@ApplicationScoped
public class ReaperSchedule {

  private static final Logger LOG = Logger.getLogger(ReaperSchedule.class);

  private final StaleAttemptReaper reaper;
  private final MonitorConfig config;
  private final MeterRegistry metrics;
  private ScheduledExecutorService executor;
  private volatile boolean suspended;

  ReaperSchedule(StaleAttemptReaper reaper, MonitorConfig config, MeterRegistry metrics) {
    this.reaper = reaper;
    this.config = config;
    this.metrics = metrics;
  }

  void start(@Observes StartupEvent startup) {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "stale-attempt-reaper");
              thread.setDaemon(true);
              return thread;
            });
    long tickMs = config.reaper().tick().toMillis();
    executor.scheduleWithFixedDelay(this::sweepOnce, tickMs, tickMs, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent shutdown) {
    if (executor != null) {
      // Let a pass in progress finish while the database and Kafka clients are still open.
      executor.shutdown();
      try {
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        executor.shutdownNow();
      }
    }
  }

  /** Stops sweeping (maintenance, and tests that drive sweeps themselves). */
  public void suspend() {
    suspended = true;
  }

  /** Sweeps again from the next tick on. */
  public void resume() {
    suspended = false;
  }

  private void sweepOnce() {
    if (suspended) {
      return;
    }
    try {
      reaper.sweep();
    } catch (RuntimeException e) {
      // A failed sweep (database down, serialization failure) is retried at the next tick; an
      // exception escaping here would cancel the schedule for good.
      metrics.counter("backfill_reaper_sweep_failures_total").increment();
      LOG.errorf(e, "reaper sweep failed; retrying at the next tick: %s", e.getMessage());
    }
  }
}
