package io.backfill.worker.attempt;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.id.AttemptId;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.MDC;

/**
 * One attempt of one chunk's extract run, shared by its work thread and the scheduler thread that
 * heartbeats and watches its deadline. Whoever ends it first ({@link #finish()}) reports it; a
 * cancelled attempt commits nothing (the writer checks {@link #checkNotCancelled()} inside the
 * chunk's transaction, right before the commit).
 */
public final class ChunkAttempt {

  private final Chunk chunk;
  private final ChunkCoordinates coordinates;
  private final AttemptId attemptId = AttemptId.random();
  private final AtomicReference<Progress> progress;
  private final AtomicReference<String> cancelReason = new AtomicReference<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicLong lastHeartbeatAckNanos = new AtomicLong(System.nanoTime());
  private final long createdNanos = System.nanoTime();
  private final AtomicReference<String> stopReason = new AtomicReference<>();
  private boolean committing;
  private volatile long leaseToken = -1;
  private volatile Thread workThread;
  volatile ScheduledFuture<?> heartbeats;
  volatile ScheduledFuture<?> deadline;

  ChunkAttempt(Chunk chunk, ChunkCoordinates coordinates) {
    this.chunk = chunk;
    this.coordinates = coordinates;
    this.progress =
        new AtomicReference<>(new Progress(0, (long) chunk.messages().size(), "starting"));
  }

  public Chunk chunk() {
    return chunk;
  }

  public ChunkCoordinates coordinates() {
    return coordinates;
  }

  public AttemptId attemptId() {
    return attemptId;
  }

  /** The {@link System#nanoTime()} when this attempt was created (its deadline counts from it). */
  public long createdNanos() {
    return createdNanos;
  }

  public Progress progress() {
    return progress.get();
  }

  public void progress(long done, String phase) {
    progress.set(new Progress(done, (long) chunk.messages().size(), phase));
  }

  /** Throws when the attempt was cancelled: the work stops and writes nothing more. */
  public void checkNotCancelled() {
    String reason = cancelReason.get();
    if (reason != null) {
      throw new AttemptCancelledException(reason);
    }
  }

  public boolean isCancelled() {
    return cancelReason.get() != null;
  }

  public String cancelReason() {
    return cancelReason.get();
  }

  /** The fencing token of the run's lease this attempt took, or -1 before it took it. */
  public long leaseToken() {
    return leaseToken;
  }

  void leaseTaken(long token) {
    this.leaseToken = token;
  }

  /** {@code paused} or {@code cancelled} when the attempt was stopped by its job's command. */
  public String stopReason() {
    return stopReason.get();
  }

  /**
   * The last word before the chunk's commit: throws when the attempt was cancelled; otherwise a
   * job's pause or cancel can no longer stop it (it either writes everything or nothing).
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
   * already; true only when this call stopped it.
   */
  synchronized boolean stop(String reason) {
    if (committing || cancelReason.get() != null) {
      return false;
    }
    stopReason.set(reason);
    return cancel("job " + reason);
  }

  /** Cancels the attempt and interrupts its work; true only for the first cancellation. */
  synchronized boolean cancel(String reason) {
    if (!cancelReason.compareAndSet(null, reason)) {
      return false;
    }
    Thread thread = workThread;
    if (thread != null) {
      // Wakes a thread that waits for the LLM or a lock; the writer's check stops the commit.
      thread.interrupt();
    }
    return true;
  }

  /** Claims the right to report how the attempt ended; true for exactly one caller. */
  boolean finish() {
    return finished.compareAndSet(false, true);
  }

  boolean isFinished() {
    return finished.get();
  }

  void heartbeatAcknowledged() {
    lastHeartbeatAckNanos.set(System.nanoTime());
  }

  long nanosSinceLastAcknowledgedHeartbeat() {
    return System.nanoTime() - lastHeartbeatAckNanos.get();
  }

  void bindWorkThread(Thread thread) {
    this.workThread = thread;
  }

  /** Puts the attempt's ids in the logging context of the calling thread. */
  void enterLogContext() {
    MDC.put("tenantId", chunk.tenantId());
    MDC.put("jobId", chunk.jobId().value());
    MDC.put("runId", chunk.runId().value());
    MDC.put("attemptId", attemptId.wireValue());
  }

  static void leaveLogContext() {
    MDC.remove("tenantId");
    MDC.remove("jobId");
    MDC.remove("runId");
    MDC.remove("attemptId");
  }

  /** The attempt's ids for log lines written where the MDC is not set (Kafka callbacks). */
  public String describe() {
    return String.format(
        "attempt %s of run %s (tenant %s, job %s)",
        attemptId, chunk.runId(), chunk.tenantId(), chunk.jobId());
  }
}
