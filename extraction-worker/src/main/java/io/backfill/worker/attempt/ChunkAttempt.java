package io.backfill.worker.attempt;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.id.AttemptId;
import io.backfill.kit.attempt.Attempt;
import io.backfill.kit.attempt.AttemptIds;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import java.util.function.BiFunction;

/**
 * One attempt of one chunk's extract run: the chunk, the run's lease token, and the lifecycle's
 * {@link Attempt} (ids, progress, stops). A stopped attempt commits nothing: the writer checks
 * {@link #checkNotCancelled()} inside the chunk's transaction, right before the commit.
 */
public final class ChunkAttempt {

  private final Chunk chunk;
  private final Attempt attempt;
  private boolean committing;
  private volatile long leaseToken = -1;

  ChunkAttempt(
      Chunk chunk,
      ChunkCoordinates coordinates,
      AttemptLifecycle lifecycle,
      BiFunction<ChunkAttempt, StopReason, Ending> onStop) {
    this.chunk = chunk;
    this.attempt =
        lifecycle.open(
            AttemptIds.newAttempt(chunk.tenantId(), chunk.runId()),
            coordinates,
            new Progress(0, (long) chunk.messages().size(), "starting"),
            (stopped, reason) -> onStop.apply(this, reason));
  }

  public Chunk chunk() {
    return chunk;
  }

  /** The attempt as the lifecycle runs it. */
  Attempt lifecycle() {
    return attempt;
  }

  public ChunkCoordinates coordinates() {
    return attempt.chunk();
  }

  public AttemptId attemptId() {
    return attempt.ids().attemptId();
  }

  /**
   * The {@link System#nanoTime()} the attempt started (its RunStarted was acknowledged); its
   * deadline counts from it.
   */
  public long createdNanos() {
    return attempt.startedNanos();
  }

  public Progress progress() {
    return attempt.progress();
  }

  public void progress(long done, String phase) {
    attempt.progress(new Progress(done, (long) chunk.messages().size(), phase));
  }

  /** Throws when the attempt was stopped: the work stops and writes nothing more. */
  public void checkNotCancelled() {
    if (attempt.isStopped()) {
      throw new AttemptCancelledException(cancelReason());
    }
  }

  public boolean isCancelled() {
    return attempt.isStopped();
  }

  /** Why the attempt was stopped, in words, or null while it runs. */
  public String cancelReason() {
    StopReason reason = attempt.stopReason();
    if (reason == null) {
      return null;
    }
    return switch (reason) {
      case PAUSED, CANCELLED -> "job " + reason.tag();
      case TIMED_OUT -> "timed out by the ledger";
      case SUPERSEDED -> "superseded by a newer attempt";
      case SHUTDOWN -> "worker shutting down";
      case SELF_FENCED -> "self-fenced: no heartbeat delivered";
      case DEADLINE -> "deadline passed";
    };
  }

  /** The fencing token of the run's lease this attempt took, or -1 before it took it. */
  public long leaseToken() {
    return leaseToken;
  }

  void leaseTaken(long token) {
    this.leaseToken = token;
  }

  /**
   * The last word before the chunk's commit: throws when the attempt was stopped; otherwise a job's
   * pause or cancel can no longer stop it (it either writes everything or nothing).
   */
  public synchronized void beginCommit() {
    checkNotCancelled();
    committing = true;
  }

  /** Ends the commit phase (the transaction ended either way): a stop applies again. */
  public synchronized void endCommit() {
    committing = false;
  }

  /**
   * Stops the attempt because its job was paused or cancelled, unless it is committing its chunk
   * already; true only when this call stopped and ended it.
   */
  synchronized boolean stopForJob(StopReason reason) {
    if (committing) {
      return false;
    }
    return attempt.stop(reason);
  }

  /** Stops the attempt (deadline, ledger, shutdown): true only when this call ended it. */
  boolean cancel(StopReason reason) {
    return attempt.stop(reason);
  }

  /** The attempt's ids for log lines written where the MDC is not set (Kafka callbacks). */
  public String describe() {
    return attempt.ids().describe();
  }
}
