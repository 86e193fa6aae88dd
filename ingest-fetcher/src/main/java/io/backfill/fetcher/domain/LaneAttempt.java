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
 * What a fetch attempt and a round attempt share: the job, the lifecycle's {@link Attempt} (ids,
 * progress, stops) and the phase its heartbeats report ({@code paging}, {@code backoff:<reason>}).
 * Shared by the work thread, the heartbeat thread (progress) and command handlers (stop).
 *
 * @param <A> the lane's attempt, handed to its stop ending
 */
public abstract class LaneAttempt<A extends LaneAttempt<A>> implements RetryWaits {

  private final JobRow job;
  private final Attempt attempt;
  private volatile String phase = "starting";

  LaneAttempt(
      JobRow job,
      RunId runId,
      AttemptId attemptId,
      AttemptLifecycle lifecycle,
      int progressAtStart,
      BiFunction<A, StopReason, Ending> stopEnding) {
    this.job = job;
    this.attempt =
        lifecycle.open(
            new AttemptIds(job.tenantId(), job.jobId(), runId, attemptId),
            null,
            new Progress(progressAtStart, null, phase),
            (running, reason) -> stopEnding.apply(self(), reason));
  }

  /** This attempt as its lane's type. */
  abstract A self();

  /** The units of work done so far that heartbeats report (pages, or chunks of a round). */
  abstract int done();

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

  public void phase(String phase) {
    this.phase = phase;
    progressed();
  }

  /** Reports the work done so far to the heartbeats; the total is unknown while Graph has more. */
  void progressed() {
    attempt.progress(new Progress(done(), null, phase));
  }

  /** Asks the attempt to stop; the first reason wins. Wakes it from a backoff wait. */
  public void stop(StopReason reason) {
    attempt.stop(reason);
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
        + tenantId()
        + ", job "
        + jobId()
        + ", run "
        + runId()
        + ", attempt "
        + attemptId();
  }
}
