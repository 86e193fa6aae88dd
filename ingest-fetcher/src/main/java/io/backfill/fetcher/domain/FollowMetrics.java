package io.backfill.fetcher.domain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Following's meters, all registered at start-up so they are exported at 0: {@code
 * backfill_follow_rounds_total{outcome}}, {@code backfill_follow_changes_total{kind}}, {@code
 * backfill_follow_resyncs_total}, and the gauges {@code backfill_follow_jobs{state}}, {@code
 * backfill_follow_overdue_jobs}, {@code backfill_follow_lag_seconds} (read from the database by
 * {@link FollowRunner} every poll, so every instance exports the same figures).
 */
@Startup
@ApplicationScoped
public class FollowMetrics {

  public static final String ROUNDS = "backfill_follow_rounds_total";
  public static final String CHANGES = "backfill_follow_changes_total";
  public static final String RESYNCS = "backfill_follow_resyncs_total";

  private final Counter completed;
  private final Counter failed;
  private final Counter stopped;
  private final Counter listed;
  private final Counter removed;
  private final Counter resyncs;
  private final AtomicLong following = new AtomicLong();
  private final AtomicLong paused = new AtomicLong();
  private final AtomicLong overdue = new AtomicLong();
  private final AtomicLong lag = new AtomicLong();

  FollowMetrics(MeterRegistry registry) {
    completed = registry.counter(ROUNDS, "outcome", "completed");
    failed = registry.counter(ROUNDS, "outcome", "failed");
    stopped = registry.counter(ROUNDS, "outcome", "stopped");
    listed = registry.counter(CHANGES, "kind", "listed");
    removed = registry.counter(CHANGES, "kind", "removed");
    resyncs = registry.counter(RESYNCS);
    Gauge.builder("backfill_follow_jobs", following, AtomicLong::get)
        .tag("state", "following")
        .description("Jobs following their mailbox")
        .register(registry);
    Gauge.builder("backfill_follow_jobs", paused, AtomicLong::get)
        .tag("state", "paused")
        .description("Followed jobs whose rounds are paused")
        .register(registry);
    Gauge.builder("backfill_follow_overdue_jobs", overdue, AtomicLong::get)
        .description("Following jobs with no round completed for the overdue number of intervals")
        .register(registry);
    Gauge.builder("backfill_follow_lag_seconds", lag, AtomicLong::get)
        .description("Largest age of a following job's copy: now - its last round's start")
        .register(registry);
  }

  void roundEnded(String outcome) {
    switch (outcome) {
      case "completed" -> completed.increment();
      case "stopped" -> stopped.increment();
      default -> failed.increment();
    }
  }

  void changes(int listedCount, int removedCount) {
    listed.increment(listedCount);
    removed.increment(removedCount);
  }

  void resynced() {
    resyncs.increment();
  }

  void gauges(long[] values) {
    following.set(values[0]);
    paused.set(values[1]);
    overdue.set(values[2]);
    lag.set(values[3]);
  }
}
