package io.backfill.fetcher.domain;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.RunId;
import io.backfill.fetcher.persistence.FollowStore.Round;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import java.util.function.BiFunction;

/**
 * One attempt of a followed job's delta round {@code follow:<jobId>:<round>}: the round as claimed,
 * its counts (carried over from earlier attempts of the same round through the checkpoint), and the
 * lifecycle's attempt.
 */
public final class FollowAttempt extends LaneAttempt<FollowAttempt> {

  private final Round round;
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
    super(
        round.job(),
        RunId.follow(round.job().jobId(), round.round()),
        attemptId,
        lifecycle,
        0,
        stopEnding);
    this.round = round;
    this.seqs = round.job().pagesPublished();
    this.listed = round.listed();
    this.removed = round.removed();
    this.resynced = round.resynced();
    this.requests = round.requests();
    this.firstSeq = round.firstSeq();
  }

  @Override
  FollowAttempt self() {
    return this;
  }

  /** Chunks this attempt published. */
  @Override
  int done() {
    return chunks;
  }

  public Round round() {
    return round;
  }

  @Override
  public void requested() {
    requests++;
  }
}
