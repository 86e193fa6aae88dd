package io.backfill.fetcher.domain;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.RunId;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import java.util.function.BiFunction;

/** One execution of a job's fetch run: the job, its paging state, and the lifecycle's attempt. */
public final class FetchAttempt extends LaneAttempt<FetchAttempt> {

  private volatile PagingState state;

  FetchAttempt(
      JobRow job,
      AttemptId attemptId,
      AttemptLifecycle lifecycle,
      BiFunction<FetchAttempt, StopReason, Ending> stopEnding) {
    super(
        job,
        RunId.fetch(job.jobId()),
        attemptId,
        lifecycle,
        PagingState.checkpointOf(job).pages(),
        stopEnding);
    this.state = PagingState.checkpointOf(job);
  }

  @Override
  FetchAttempt self() {
    return this;
  }

  /** Pages published so far. */
  @Override
  int done() {
    return state.pages();
  }

  public PagingState state() {
    return state;
  }

  public void advance(PagingState next) {
    this.state = next;
    progressed();
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
}
