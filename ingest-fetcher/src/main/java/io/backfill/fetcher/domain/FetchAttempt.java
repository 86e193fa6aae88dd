package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Progress;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.fetcher.graph.RetryReason;
import io.backfill.fetcher.graph.RetryWaits;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.kit.attempt.Attempt;
import io.backfill.kit.attempt.AttemptIds;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import java.time.Duration;
import java.util.function.BiFunction;

/**
 * One execution of a job's fetch run: the job, its paging state, and the lifecycle's {@link
 * Attempt} (ids, progress, stops). Shared by the work thread (paging), the heartbeat thread
 * (progress) and command handlers (stop).
 */
public final class FetchAttempt implements RetryWaits {

  private final JobRow job;
  private final Attempt attempt;
  private volatile PagingState state;
  private volatile String phase = "starting";

  FetchAttempt(
      JobRow job,
      AttemptId attemptId,
      AttemptLifecycle lifecycle,
      BiFunction<FetchAttempt, StopReason, Ending> stopEnding) {
    this.job = job;
    this.state = PagingState.checkpointOf(job);
    this.attempt =
        lifecycle.open(
            new AttemptIds(job.tenantId(), job.jobId(), RunId.fetch(job.jobId()), attemptId),
            null,
            progressNow(),
            (running, reason) -> stopEnding.apply(this, reason));
  }

  /** The attempt as the lifecycle runs it. */
  public Attempt lifecycle() {
    return attempt;
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
    return attempt.ids().attemptId();
  }

  public RunId runId() {
    return attempt.ids().runId();
  }

  public PagingState state() {
    return state;
  }

  public void advance(PagingState next) {
    this.state = next;
    attempt.progress(progressNow());
  }

  public void phase(String phase) {
    this.phase = phase;
    attempt.progress(progressNow());
  }

  /** Pages published so far; the total is unknown while Graph has more (hasMore). */
  private Progress progressNow() {
    return new Progress(state.pages(), null, phase);
  }

  /** Asks the attempt to stop; the first reason wins. Wakes it from a backoff wait. */
  public void stop(StopReason reason) {
    attempt.stop(reason);
  }

  /**
   * Stops after this page when the checkpoint found the job paused or cancelled: commands reach the
   * attempt through the job's status too, whichever instance took them.
   */
  void stopIfCommanded(String status) {
    if (status.equals("paused")) {
      stop(StopReason.PAUSED);
    } else if (status.equals("cancelled")) {
      stop(StopReason.CANCELLED);
    }
  }

  public StopReason stopReason() {
    return attempt.stopReason();
  }

  /** Throws {@code AttemptStoppedException} when the attempt was told to stop. */
  public void checkNotStopped() {
    attempt.checkNotStopped();
  }

  @Override
  public void backoff(Duration wait, RetryReason reason) {
    String before = phase;
    phase("backoff:" + reason.tag());
    try {
      attempt.await(wait);
    } finally {
      phase(before);
    }
  }

  @Override
  public String describe() {
    return "tenant "
        + job.tenantId()
        + ", job "
        + job.jobId()
        + ", run "
        + runId()
        + ", attempt "
        + attemptId();
  }
}
