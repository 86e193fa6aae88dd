package io.backfill.fetcher.domain;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.persistence.FollowStore;
import io.backfill.fetcher.persistence.FollowStore.Round;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Runs followed jobs' delta rounds. The jobs table is the schedule: a round is due at {@code
 * follow_due_at}; each of {@code follow.max-concurrent-rounds} slot threads claims the most overdue
 * due round itself ({@code FOR UPDATE SKIP LOCKED}, so instances share the schedule and never run
 * one round twice) and runs it on its thread. A round attempt's liveness is renewed every heartbeat
 * interval; a round whose attempt died (its process killed) is claimed again once it is dead, and
 * resumes from the folders' stored next links. The follow gauges are read on the same schedule.
 */
@ApplicationScoped
public class FollowRunner {

  private static final Logger LOG = Logger.getLogger(FollowRunner.class);

  private final FollowStore store;
  private final FollowRound round;
  private final FollowMetrics metrics;
  private final int slotCount;
  private final Duration pollInterval;
  private final Duration renewInterval;
  private final Duration deadAfter;
  private final int overdueIntervals;
  private final int defaultInterval;
  private final ExecutorService pool;
  private final ScheduledExecutorService renewer;
  private final Map<JobId, FollowAttempt> running = new ConcurrentHashMap<>();
  private final ReentrantLock wakeLock = new ReentrantLock();
  private final Condition woken = wakeLock.newCondition();
  private long generation;
  private volatile boolean stopping;

  FollowRunner(FollowStore store, FollowRound round, FollowMetrics metrics, FetcherConfig config) {
    this.store = store;
    this.round = round;
    this.metrics = metrics;
    this.slotCount = config.follow().maxConcurrentRounds();
    this.pollInterval = config.follow().pollInterval();
    this.renewInterval = config.heartbeatInterval();
    this.deadAfter = config.attemptDeadAfter().orElse(config.heartbeatInterval().multipliedBy(3));
    this.overdueIntervals = config.follow().overdueAfterIntervals();
    this.defaultInterval = config.follow().intervalSeconds();
    this.pool =
        Executors.newFixedThreadPool(
            slotCount,
            task -> {
              Thread thread = new Thread(task, "follow-round");
              thread.setDaemon(true);
              return thread;
            });
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "follow-liveness");
              thread.setDaemon(true);
              return thread;
            });
  }

  void onStart(@Observes StartupEvent event) {
    for (int i = 0; i < slotCount; i++) {
      pool.execute(this::slot);
    }
    renewer.scheduleWithFixedDelay(
        this::renewAndMeasure,
        renewInterval.toMillis(),
        renewInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** A round may have become due now (FollowJob, Resume, RetryDue): a slot looks at once. */
  public void wake() {
    wakeLock.lock();
    try {
      generation++;
      woken.signalAll();
    } finally {
      wakeLock.unlock();
    }
  }

  /** The deadline after which a round attempt that was not renewed is dead. */
  public Duration deadAfter() {
    return deadAfter;
  }

  private void slot() {
    while (!stopping) {
      long seen = generation();
      FollowAttempt attempt;
      try {
        attempt = claim();
      } catch (RuntimeException e) {
        LOG.warnf("could not claim a due round (tried again shortly): %s", e.getMessage());
        await(seen + 1);
        continue;
      }
      if (attempt == null) {
        await(seen);
        continue;
      }
      try {
        LOG.infof("starting round attempt (%s)", attempt.describe());
        round.run(attempt);
      } catch (RuntimeException e) {
        LOG.errorf(e, "round attempt ended by an unexpected failure (%s)", attempt.describe());
      } finally {
        running.remove(attempt.jobId(), attempt);
      }
    }
  }

  private synchronized FollowAttempt claim() {
    if (stopping) {
      return null;
    }
    AttemptId attemptId = AttemptId.random();
    Optional<Round> claimed =
        QuarkusTransaction.requiringNew().call(() -> store.claimDue(attemptId, deadAfter));
    if (claimed.isEmpty()) {
      return null;
    }
    FollowAttempt attempt = round.attempt(claimed.get(), attemptId);
    FollowAttempt previous = running.put(attempt.jobId(), attempt);
    if (previous != null) {
      previous.stop(StopReason.SUPERSEDED);
    }
    return attempt;
  }

  private void renewAndMeasure() {
    List<AttemptId> ids = running.values().stream().map(FollowAttempt::attemptId).toList();
    try {
      if (!ids.isEmpty()) {
        QuarkusTransaction.requiringNew().run(() -> store.renewAlive(ids));
      }
      metrics.gauges(
          QuarkusTransaction.requiringNew()
              .call(() -> store.gauges(overdueIntervals, defaultInterval)));
    } catch (RuntimeException e) {
      // The rounds go on; past the dead-after bound another instance may take them over, and
      // the claim fences these attempts at their next checkpoint.
      LOG.warnf(
          "could not renew the liveness of %d round attempts %s or read the follow gauges: %s",
          ids.size(), ids, e.getMessage());
    }
  }

  /** Asks the job's round attempt in this process, if any, to stop. */
  public void stop(JobId jobId, StopReason reason) {
    FollowAttempt attempt = running.get(jobId);
    if (attempt != null) {
      attempt.stop(reason);
    }
  }

  /** Asks one specific round attempt to stop (RunTimedOut). */
  public void stop(JobId jobId, AttemptId attemptId, StopReason reason) {
    FollowAttempt attempt = running.get(jobId);
    if (attempt != null && attempt.attemptId().equals(attemptId)) {
      attempt.stop(reason);
    }
  }

  private long generation() {
    wakeLock.lock();
    try {
      return generation;
    } finally {
      wakeLock.unlock();
    }
  }

  private void await(long seen) {
    wakeLock.lock();
    try {
      long remaining = pollInterval.toNanos();
      while (!stopping && generation == seen && remaining > 0) {
        remaining = woken.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    } finally {
      wakeLock.unlock();
    }
  }

  void shutdown(@Observes ShutdownEvent event) {
    stopping = true;
    wake();
    running.values().forEach(attempt -> attempt.stop(StopReason.SHUTDOWN));
    renewer.shutdownNow();
    pool.shutdown();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warnf("%d round attempts did not end within 10 s of shutdown", running.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
