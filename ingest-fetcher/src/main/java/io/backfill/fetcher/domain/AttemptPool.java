package io.backfill.fetcher.domain;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.kit.attempt.StopReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The slot threads of one lane (fetch attempts or follow rounds) and the attempts they run in this
 * process. Each slot claims work itself from the database (the lane's {@link Lane#claim}), runs it
 * on its thread, and looks for more when it frees, when {@link #wake} is called, and every poll
 * interval (work queued by other instances). The running attempts' liveness is renewed on one
 * scheduler thread every renew interval.
 *
 * @param <A> the lane's attempt
 */
final class AttemptPool<A extends LaneAttempt<A>> {

  private static final Logger LOG = Logger.getLogger(AttemptPool.class);

  /** What the pool needs of its lane. */
  interface Lane<A> {
    /** Claims the next piece of work for a new attempt, or null when there is none. */
    A claim();

    /** Runs the attempt on the calling thread until it ends. */
    void run(A attempt);

    /** The attempt ended (its slot is free again). */
    default void ended(A attempt) {}

    /** The claim failed (database unavailable); it is tried again after a poll interval. */
    default void claimFailed(RuntimeException failure) {}

    /** Renews the liveness of these attempts, running in this process (empty: none runs). */
    void renew(List<AttemptId> attempts);
  }

  private final String name;
  private final Lane<A> lane;
  private final int slotCount;
  private final Duration pollInterval;
  private final Duration renewInterval;
  private final ExecutorService pool;
  private final ScheduledExecutorService renewer;
  private final Map<JobId, A> running = new ConcurrentHashMap<>();
  private final ReentrantLock wakeLock = new ReentrantLock();
  private final Condition woken = wakeLock.newCondition();
  private long generation;
  private volatile boolean stopping;

  /** {@code name} names the lane in logs and its renewal thread ({@code <name>-liveness}). */
  AttemptPool(
      String name,
      String slotThread,
      Lane<A> lane,
      int slotCount,
      Duration pollInterval,
      Duration renewInterval) {
    this.name = name;
    this.lane = lane;
    this.slotCount = slotCount;
    this.pollInterval = pollInterval;
    this.renewInterval = renewInterval;
    this.pool = Executors.newFixedThreadPool(slotCount, daemon(slotThread));
    this.renewer = Executors.newSingleThreadScheduledExecutor(daemon(name + "-liveness"));
  }

  private static ThreadFactory daemon(String threadName) {
    return task -> {
      Thread thread = new Thread(task, threadName);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Starts the slots and the liveness renewal. */
  void start() {
    for (int i = 0; i < slotCount; i++) {
      pool.execute(this::slot);
    }
    renewer.scheduleWithFixedDelay(
        () -> lane.renew(running.values().stream().map(LaneAttempt::attemptId).toList()),
        renewInterval.toMillis(),
        renewInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  boolean stopping() {
    return stopping;
  }

  /**
   * Records a newly claimed attempt as the job's attempt in this process; an earlier one of the
   * same job (superseded by this claim) is asked to stop.
   */
  void claimed(A attempt) {
    A previous = running.put(attempt.jobId(), attempt);
    if (previous != null) {
      previous.stop(StopReason.SUPERSEDED);
    }
  }

  /** One slot: claims work one after another and runs each on this thread. */
  private void slot() {
    while (!stopping) {
      long seen = generation();
      A attempt;
      try {
        attempt = lane.claim();
      } catch (RuntimeException e) {
        lane.claimFailed(e);
        LOG.warnf(
            "%s: could not claim work (tried again in %d ms): %s",
            name, pollInterval.toMillis(), e.getMessage());
        await(seen + 1);
        continue;
      }
      if (attempt == null) {
        await(seen);
        continue;
      }
      try {
        lane.run(attempt);
      } catch (RuntimeException e) {
        LOG.errorf(e, "%s attempt ended by an unexpected failure (%s)", name, attempt.describe());
      } finally {
        running.remove(attempt.jobId(), attempt);
        lane.ended(attempt);
      }
    }
  }

  /** Work may have been queued or become due: idle slots look at once. */
  void wake() {
    wakeLock.lock();
    try {
      generation++;
      woken.signalAll();
    } finally {
      wakeLock.unlock();
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

  /** Waits until {@link #wake} after {@code seen}, or the poll interval passes. */
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

  /** Asks the job's attempt in this process, if any, to stop. */
  void stop(JobId jobId, StopReason reason) {
    A attempt = running.get(jobId);
    if (attempt != null) {
      attempt.stop(reason);
    }
  }

  /** Asks one specific attempt to stop (a RunTimedOut names the attempt it timed out). */
  void stop(JobId jobId, AttemptId attemptId, StopReason reason) {
    A attempt = running.get(jobId);
    if (attempt != null && attempt.attemptId().equals(attemptId)) {
      attempt.stop(reason);
    }
  }

  Optional<A> attemptOf(JobId jobId) {
    return Optional.ofNullable(running.get(jobId));
  }

  /** True when one of this process's running attempts has this id. */
  boolean runsAttempt(UUID attemptId) {
    return running.values().stream().anyMatch(a -> a.attemptId().value().equals(attemptId));
  }

  /** Graceful shutdown: attempts are asked to hand back, slots end, waiting at most 10 s. */
  void shutdown() {
    stopping = true;
    wake();
    running.values().forEach(attempt -> attempt.stop(StopReason.SHUTDOWN));
    renewer.shutdownNow();
    pool.shutdown();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warnf("%d %s attempts did not end within 10 s of shutdown", running.size(), name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
