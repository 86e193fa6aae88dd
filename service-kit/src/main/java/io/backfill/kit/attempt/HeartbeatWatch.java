package io.backfill.kit.attempt;

import io.backfill.contracts.event.RunHeartbeat;
import java.lang.System.Logger.Level;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** One attempt's heartbeats and deadline; {@code beat} and {@code close} exclude each other. */
final class HeartbeatWatch {

  private final AttemptLifecycle lifecycle;

  private final Attempt attempt;
  // RunStarted was acknowledged just now: that is the last proof of life the ledger has.
  private final AtomicLong lastAckedNanos = new AtomicLong(System.nanoTime());
  private ScheduledFuture<?> beats;
  private ScheduledFuture<?> deadline;
  private boolean closed;

  HeartbeatWatch(AttemptLifecycle lifecycle, Attempt attempt) {
    this.lifecycle = lifecycle;
    this.attempt = attempt;
  }

  /** Starts the heartbeats and the deadline on {@code scheduler}, unless closed already. */
  synchronized void schedule(ScheduledExecutorService scheduler) {
    if (closed) {
      return;
    }
    long interval = lifecycle.settings().heartbeatInterval().toMillis();
    beats = scheduler.scheduleAtFixedRate(this::beat, interval, interval, TimeUnit.MILLISECONDS);
    if (lifecycle.settings().deadline().isPresent()) {
      long left =
          attempt.startedNanos()
              + lifecycle.settings().deadline().get().toNanos()
              - System.nanoTime();
      deadline = scheduler.schedule(this::expire, Math.max(0, left), TimeUnit.NANOSECONDS);
    }
  }

  void beat() {
    AttemptIds ids = attempt.ids();
    lifecycle.enterLogContext(ids);
    try {
      long silentNanos = 0;
      synchronized (this) {
        if (closed) {
          return;
        }
        silentNanos = System.nanoTime() - lastAckedNanos();
        if (silentNanos <= lifecycle.settings().staleAfter().toNanos()) {
          heartbeat();
          return;
        }
        // Stop heartbeating: a proof of life now would claim a run the ledger may have
        // given to another attempt.
        closed = true;
        beats.cancel(false);
      }
      AttemptLifecycle.log(
          Level.ERROR,
          null,
          "%s stops itself: no heartbeat acknowledged for %d ms (stale threshold %d ms)",
          ids.describe(),
          TimeUnit.NANOSECONDS.toMillis(silentNanos),
          lifecycle.settings().staleAfter().toMillis());
      lifecycle.stop(attempt, StopReason.SELF_FENCED);
    } catch (RuntimeException e) {
      // An exception escaping here would cancel this attempt's schedule for good.
      lifecycle.listener.heartbeat(false);
      AttemptLifecycle.log(
          Level.WARNING, null, "heartbeat of %s could not be sent: %s", ids.describe(), e);
    } finally {
      lifecycle.leaveLogContext();
    }
  }

  /** Under this monitor: the send hands the record over before a close can return. */
  private void heartbeat() {
    AttemptIds ids = attempt.ids();
    RunHeartbeat heartbeat =
        RunHeartbeat.of(
            ids.tenantId(),
            ids.runId(),
            ids.attemptId(),
            lifecycle.settings().workerId(),
            lifecycle.settings().buildSha(),
            attempt.progress());
    lifecycle
        .send(heartbeat)
        .whenComplete(
            (ok, failure) -> {
              if (failure == null) {
                acknowledged();
                lifecycle.listener.heartbeat(true);
              } else {
                lifecycle.listener.heartbeat(false);
                // Runs on the producer's thread, without the MDC: the ids are in the message.
                AttemptLifecycle.log(
                    Level.WARNING,
                    null,
                    "heartbeat of %s could not be sent: %s",
                    ids.describe(),
                    failure);
              }
            });
  }

  // Not under this monitor: the producer's callback thread must never wait for a beat.
  private long lastAckedNanos() {
    return lastAckedNanos.get();
  }

  private void acknowledged() {
    lastAckedNanos.set(System.nanoTime());
  }

  void expire() {
    lifecycle.enterLogContext(attempt.ids());
    try {
      if (!attempt.isEnded() && !attempt.isStopped()) {
        AttemptLifecycle.log(
            Level.ERROR,
            null,
            "%s passed its deadline of %s in phase %s; it is stopped",
            attempt.ids().describe(),
            lifecycle.settings().deadline().orElseThrow(),
            attempt.progress().phase());
      }
      lifecycle.stop(attempt, StopReason.DEADLINE);
    } finally {
      lifecycle.leaveLogContext();
    }
  }

  /** Once this returns no heartbeat of the attempt is sent any more. */
  synchronized void close() {
    closed = true;
    if (beats != null) {
      beats.cancel(false);
    }
    if (deadline != null) {
      deadline.cancel(false);
    }
  }
}
