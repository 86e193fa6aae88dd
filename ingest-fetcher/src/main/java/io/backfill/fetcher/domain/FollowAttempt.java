package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Progress;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.fetcher.graph.RetryReason;
import io.backfill.fetcher.graph.RetryWaits;
import io.backfill.fetcher.persistence.FollowStore.Round;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.kit.attempt.Attempt;
import io.backfill.kit.attempt.AttemptIds;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import java.time.Duration;
import java.util.function.BiFunction;

/**
 * One attempt of a followed job's delta round {@code follow:<jobId>:<round>}: the round as claimed,
 * its counts (carried over from earlier attempts of the same round through the checkpoint), and the
 * lifecycle's {@link Attempt}.
 */
public final class FollowAttempt implements RetryWaits {

  private final Round round;
  private final Attempt attempt;
  private volatile String phase = "starting";
  // Written by the work thread only; read by heartbeats (progress) as a snapshot.
  volatile int seqs;
  volatile int listed;
  volatile int removed;
  volatile int resynced;
  volatile int requests;
  volatile Integer firstSeq;
  volatile int chunks;

  FollowAttempt(
      Round round,
      AttemptId attemptId,
      AttemptLifecycle lifecycle,
      BiFunction<FollowAttempt, StopReason, Ending> stopEnding) {
    this.round = round;
    this.seqs = round.job().pagesPublished();
    this.listed = round.listed();
    this.removed = round.removed();
    this.resynced = round.resynced();
    this.requests = round.requests();
    this.firstSeq = round.firstSeq();
    this.attempt =
        lifecycle.open(
            new AttemptIds(
                round.job().tenantId(),
                round.job().jobId(),
                RunId.follow(round.job().jobId(), round.round()),
                attemptId),
            null,
            progressNow(),
            (running, reason) -> stopEnding.apply(this, reason));
  }

  public Attempt lifecycle() {
    return attempt;
  }

  public Round round() {
    return round;
  }

  public JobRow job() {
    return round.job();
  }

  public JobId jobId() {
    return round.job().jobId();
  }

  public String tenantId() {
    return round.job().tenantId();
  }

  public AttemptId attemptId() {
    return attempt.ids().attemptId();
  }

  public RunId runId() {
    return attempt.ids().runId();
  }

  public void phase(String phase) {
    this.phase = phase;
    attempt.progress(progressNow());
  }

  void progressed() {
    attempt.progress(progressNow());
  }

  private Progress progressNow() {
    return new Progress(chunks, null, phase);
  }

  public void stop(StopReason reason) {
    attempt.stop(reason);
  }

  public StopReason stopReason() {
    return attempt.stopReason();
  }

  public void checkNotStopped() {
    attempt.checkNotStopped();
  }

  @Override
  public void requested() {
    requests++;
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
