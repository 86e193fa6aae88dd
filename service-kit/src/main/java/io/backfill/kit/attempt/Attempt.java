package io.backfill.kit.attempt;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunStopped;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One attempt as the lifecycle runs it, shared by its work thread, the scheduler thread that
 * heartbeats and watches it, and whoever stops it. The first stop reason wins; exactly one party
 * ends the attempt and publishes its final event.
 */
public final class Attempt {

  private final AttemptLifecycle lifecycle;
  private final AttemptIds ids;
  private final ChunkCoordinates chunk;
  private final StopEndings stopEndings;
  private volatile long startedNanos = System.nanoTime();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition stopped = lock.newCondition();
  private volatile Progress progress;
  private volatile StopReason stopReason;
  private volatile boolean announced;
  // Guarded by this: who ended the attempt, and which thread to interrupt before that.
  private boolean ended;
  private Thread workThread;
  volatile HeartbeatWatch watch;

  Attempt(
      AttemptLifecycle lifecycle,
      AttemptIds ids,
      ChunkCoordinates chunk,
      Progress progress,
      StopEndings stopEndings) {
    this.lifecycle = lifecycle;
    this.ids = ids;
    this.chunk = chunk;
    this.progress = progress;
    this.stopEndings = stopEndings;
  }

  public AttemptIds ids() {
    return ids;
  }

  /** Where the chunk record is (extract runs), announced in RunStarted; null for fetch runs. */
  public ChunkCoordinates chunk() {
    return chunk;
  }

  /**
   * The {@link System#nanoTime()} its RunStarted was acknowledged (until then: when it was opened);
   * its deadline counts from it, as the ledger's view of the attempt does.
   */
  public long startedNanos() {
    return startedNanos;
  }

  /** What the next heartbeat reports. */
  public Progress progress() {
    return progress;
  }

  public void progress(Progress now) {
    this.progress = now;
  }

  /** Asks the attempt to stop (see {@link AttemptLifecycle#stop}); true when this call did. */
  public boolean stop(StopReason reason) {
    return lifecycle.stop(this, reason);
  }

  /** Why the attempt was stopped, or null while it was not. */
  public StopReason stopReason() {
    return stopReason;
  }

  public boolean isStopped() {
    return stopReason != null;
  }

  /** Throws {@link AttemptStoppedException} once the attempt was told to stop. */
  public void checkNotStopped() {
    StopReason reason = stopReason;
    if (reason != null) {
      throw new AttemptStoppedException(reason);
    }
  }

  /**
   * Waits up to {@code wait} (a backoff), ending early when the attempt is stopped; then throws
   * {@link AttemptStoppedException} if it was. An interrupt stops the attempt as {@code SHUTDOWN}.
   */
  public void await(Duration wait) {
    long remaining = wait.toNanos();
    boolean interrupted = false;
    lock.lock();
    try {
      while (stopReason == null && remaining > 0) {
        remaining = stopped.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      lock.unlock();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      stop(StopReason.SHUTDOWN);
    }
    checkNotStopped();
  }

  /** True once the attempt has ended: its final event is decided, nothing more is reported. */
  public synchronized boolean isEnded() {
    return ended;
  }

  public boolean isAnnounced() {
    return announced;
  }

  /** A RunCompleted of this attempt, for the lane's ending. */
  public RunCompleted runCompleted(Integer chunks, long messages) {
    return RunCompleted.of(
        ids.tenantId(), ids.runId(), ids.attemptId(), lifecycle.workerId(), chunks, messages);
  }

  /** A RunFailed of this attempt, for the lane's ending. */
  public RunFailed runFailed(boolean retryable, ErrorInfo error) {
    return RunFailed.of(
        ids.tenantId(), ids.runId(), ids.attemptId(), lifecycle.workerId(), retryable, error);
  }

  /** A RunStopped of this attempt ({@code paused} or {@code cancelled}), for the lane's ending. */
  public RunStopped runStopped(String reason, String detail) {
    return RunStopped.of(
        ids.tenantId(), ids.runId(), ids.attemptId(), lifecycle.workerId(), reason, detail);
  }

  StopEndings stopEndings() {
    return stopEndings;
  }

  void announced() {
    this.startedNanos = System.nanoTime();
    this.announced = true;
  }

  /** What recording a stop did. */
  enum Stopping {
    /** Another reason came first. */
    IGNORED,
    /** The reason is recorded; the attempt goes on until its work notices (or it ended). */
    RECORDED,
    /** The reason is recorded and the caller ends the attempt (the work was interrupted). */
    ENDS_NOW
  }

  /**
   * Records the stop reason if none was given yet and wakes a waiting backoff; with {@code endNow}
   * it also claims the end, in the same step, so the work cannot end the attempt in between.
   */
  synchronized Stopping stopWith(StopReason reason, boolean endNow) {
    lock.lock();
    try {
      if (stopReason != null) {
        return Stopping.IGNORED;
      }
      stopReason = reason;
      stopped.signalAll();
    } finally {
      lock.unlock();
    }
    return endNow && claimEnd(true) ? Stopping.ENDS_NOW : Stopping.RECORDED;
  }

  /** Claims the right to end the attempt; true for exactly one caller. */
  synchronized boolean claimEnd(boolean interruptWork) {
    if (ended) {
      return false;
    }
    ended = true;
    if (interruptWork && workThread != null && workThread != Thread.currentThread()) {
      // Wakes work that waits for a call, a lock or a sleep; the lane's checks stop the rest.
      workThread.interrupt();
    }
    return true;
  }

  synchronized void bindWorkThread(Thread thread) {
    this.workThread = thread;
  }
}
