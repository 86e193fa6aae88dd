package io.backfill.monitor.reaper;

import io.backfill.monitor.config.MonitorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs the reaper every {@code backfill.monitor.reaper.tick}, counted from the start of the
 * previous sweep (a fixed delay after its end would add each sweep's duration to detection), on one
 * thread: a sweep longer than a tick is followed at once by the next, never overlapped by it.
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
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "stale-attempt-reaper");
              thread.setDaemon(true);
              return thread;
            });
    // On shutdown the next (delayed) sweep is dropped, not run while the application stops.
    pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor = pool;
    executor.schedule(this::tick, config.reaper().tick().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One sweep, then the next one a tick after this one started. */
  private void tick() {
    long startedAt = System.nanoTime();
    sweepOnce();
    long nextInNanos = config.reaper().tick().toNanos() - (System.nanoTime() - startedAt);
    if (!executor.isShutdown()) {
      executor.schedule(this::tick, Math.max(0, nextInNanos), TimeUnit.NANOSECONDS);
    }
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
