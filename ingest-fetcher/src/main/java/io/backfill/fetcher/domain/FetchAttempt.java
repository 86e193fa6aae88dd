package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Progress;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.fetcher.graph.RetryReason;
import io.backfill.fetcher.graph.RetryWaits;
import io.backfill.fetcher.persistence.JobRow;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One execution of a job's fetch run: its ids, its paging state, and whether it was told to stop.
 * Shared by the work thread (paging), the heartbeat thread (progress) and command handlers (stop).
 */
public final class FetchAttempt implements RetryWaits {

  private final JobRow job;
  private final AttemptId attemptId;
  private final RunId runId;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition stopped = lock.newCondition();
  private volatile StopReason stopReason;
  private volatile PagingState state;
  private volatile String phase = "starting";

  public FetchAttempt(JobRow job, AttemptId attemptId) {
    this.job = job;
    this.attemptId = attemptId;
    this.runId = RunId.fetch(job.jobId());
    this.state = PagingState.checkpointOf(job);
  }

  public JobRow job() {
    return job;
  }

  public JobId jobId() {
    return job.jobId();
  }

  public String tenantId() {
    return job.tenantId();
  }

  public AttemptId attemptId() {
    return attemptId;
  }

  public RunId runId() {
    return runId;
  }

  public PagingState state() {
    return state;
  }

  public void advance(PagingState next) {
    this.state = next;
  }

  public void phase(String phase) {
    this.phase = phase;
  }

  /** Pages published so far; the total is unknown while Graph has more (hasMore). */
  public Progress progress() {
    PagingState now = state;
    return new Progress(now.pages(), null, phase);
  }

  /** Asks the attempt to stop; the first reason wins. Wakes it from a backoff wait. */
  public void stop(StopReason reason) {
    lock.lock();
    try {
      if (stopReason == null) {
        stopReason = reason;
      }
      stopped.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public StopReason stopReason() {
    return stopReason;
  }

  /** Throws {@link AttemptStopped} when the attempt was told to stop. */
  public void checkNotStopped() {
    StopReason reason = stopReason;
    if (reason != null) {
      throw new AttemptStopped(reason);
    }
  }

  @Override
  public void backoff(Duration wait, RetryReason reason) {
    String before = phase;
    phase = "backoff:" + reason.tag();
    long remaining = wait.toNanos();
    lock.lock();
    try {
      while (stopReason == null && remaining > 0) {
        remaining = stopped.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(StopReason.SHUTDOWN);
    } finally {
      lock.unlock();
      phase = before;
    }
    checkNotStopped();
  }

  @Override
  public String describe() {
    return "tenant "
        + job.tenantId()
        + ", job "
        + job.jobId()
        + ", run "
        + runId
        + ", attempt "
        + attemptId;
  }
}
