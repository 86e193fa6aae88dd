package io.backfill.kit.attempt;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.retry.Backoff;
import io.backfill.contracts.topic.Topics;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one protocol every executor follows for an attempt of a run:
 *
 * <ol>
 *   <li>{@link #announce}: RunStarted is sent and acknowledged by the broker (each wait bounded,
 *       retried on the lane's {@link Backoff}) before any work; without it nothing runs.
 *   <li>{@link #run}: the lane's work runs on the calling thread with the attempt's ids in the MDC,
 *       while a shared scheduler heartbeats it every interval (never the work thread, so a slow
 *       call or a backoff cannot delay a heartbeat) and watches its deadline.
 *   <li>Self-fencing: when no heartbeat was acknowledged for {@code staleAfter}, the ledger may
 *       have given the run to another attempt; the attempt stops itself as {@code SELF_FENCED} and
 *       sends no more heartbeats.
 *   <li>{@link #stop}: commands (pause, cancel), the ledger's timeout, a newer attempt, shutdown
 *       and the deadline stop the attempt. A lane chooses how ({@link OnStop}).
 *   <li>The end: heartbeats stop first, then exactly one final event (RunCompleted, RunFailed,
 *       RunStopped) or none when the attempt is fenced.
 * </ol>
 *
 * One instance per service, shared by its attempts; thread-safe.
 */
public final class AttemptLifecycle implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(AttemptLifecycle.class.getName());
  private static final String[] MDC_KEYS = {"tenantId", "jobId", "runId", "attemptId"};

  /** What a stop does to a running attempt. */
  public enum OnStop {
    /**
     * The stop is recorded and wakes the attempt's waits; the work notices it ({@link
     * Attempt#checkNotStopped()}), finishes what must be finished (a page in flight, a checkpoint)
     * and returns the ending.
     */
    ASK_THE_WORK,
    /**
     * The stop ends the attempt at once: its work thread is interrupted, the lane's {@link
     * StopEndings} answer is published by the stopping thread, and whatever the work returns later
     * is dropped (it must not write after a stop; the lane's own checks see to that).
     */
    END_AT_ONCE
  }

  /**
   * A lane's knobs.
   *
   * @param staleAfter the self-fence bound: no heartbeat acknowledged for this long stops the
   *     attempt (at most the ledger's stale threshold, so the attempt stops before it is reaped)
   * @param publishTimeout the longest wait for the broker's acknowledgement of RunStarted or the
   *     final event
   * @param announceRetries retries of an unacknowledged RunStarted (none: the attempt is not run)
   * @param deadline the hard bound of an attempt, counted from its acknowledged RunStarted; none
   *     when empty
   * @param schedulerThreads threads heartbeating and watching deadlines (more than one when a
   *     heartbeat send may block, so one blocked send cannot delay every other attempt)
   */
  public record Settings(
      String workerId,
      String buildSha,
      Duration heartbeatInterval,
      Duration staleAfter,
      Duration publishTimeout,
      Backoff announceRetries,
      Optional<Duration> deadline,
      OnStop onStop,
      int schedulerThreads,
      String threadName) {

    public Settings {
      if (workerId == null || workerId.isBlank() || buildSha == null || buildSha.isBlank()) {
        throw new IllegalArgumentException("workerId and buildSha are required");
      }
      if (heartbeatInterval == null || heartbeatInterval.toMillis() < 1) {
        throw new IllegalArgumentException("heartbeatInterval must be at least 1 ms");
      }
      if (staleAfter == null || staleAfter.compareTo(heartbeatInterval) < 0) {
        throw new IllegalArgumentException("staleAfter must be at least heartbeatInterval");
      }
      if (publishTimeout == null || publishTimeout.toMillis() < 1) {
        throw new IllegalArgumentException("publishTimeout must be at least 1 ms");
      }
      if (announceRetries == null || deadline == null || onStop == null) {
        throw new IllegalArgumentException("announceRetries, deadline and onStop are required");
      }
      if (schedulerThreads < 1) {
        throw new IllegalArgumentException("schedulerThreads must be at least 1");
      }
    }
  }

  private final Settings settings;
  private final AttemptPublisher publisher;
  final AttemptListener listener;
  private final LogContext logContext;
  private final ScheduledExecutorService scheduler;
  private volatile boolean closed;

  public AttemptLifecycle(
      Settings settings,
      AttemptPublisher publisher,
      AttemptListener listener,
      LogContext logContext) {
    this.settings = settings;
    this.publisher = publisher;
    this.listener = listener;
    this.logContext = logContext;
    AtomicInteger threads = new AtomicInteger();
    this.scheduler =
        Executors.newScheduledThreadPool(
            settings.schedulerThreads(),
            task -> {
              Thread thread =
                  new Thread(task, settings.threadName() + "-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  public Settings settings() {
    return settings;
  }

  String workerId() {
    return settings.workerId();
  }

  /**
   * A new attempt, not yet announced.
   *
   * @param chunk where the chunk record is (extract runs), or null
   * @param progress what heartbeats report until the work says more
   * @param stopEndings how the lane ends a stopped attempt ({@link StopEndings#STANDARD})
   */
  public Attempt open(
      AttemptIds ids, ChunkCoordinates chunk, Progress progress, StopEndings stopEndings) {
    return new Attempt(this, ids, chunk, progress, stopEndings);
  }

  /**
   * Sends RunStarted and waits for the broker's acknowledgement, retried as the lane's backoff
   * allows; true once acknowledged, false when given up (nothing of the attempt may run then).
   *
   * @throws InterruptedException when interrupted between tries (the caller is shutting down)
   */
  public boolean announce(Attempt attempt) throws InterruptedException {
    AttemptIds ids = attempt.ids();
    Backoff retries = settings.announceRetries();
    for (int retry = 1; ; retry++) {
      RunStarted started =
          RunStarted.of(
              ids.tenantId(),
              ids.runId(),
              ids.attemptId(),
              settings.workerId(),
              settings.buildSha(),
              settings.heartbeatInterval().toMillis(),
              attempt.chunk());
      try {
        awaitAck(send(started));
        attempt.announced();
        return true;
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        listener.publishFailed("RunStarted");
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        if (closed || !retries.allows(retry)) {
          log(
              Level.ERROR,
              cause,
              "RunStarted of %s not acknowledged (%s): the attempt does not run",
              ids.describe(),
              cause);
          return false;
        }
        Duration wait = retries.delay(retry);
        // Nothing can be done without the broker; the caller's work waits with us.
        log(
            Level.WARNING,
            null,
            "RunStarted of %s not acknowledged (%s); retry %d in %d ms",
            ids.describe(),
            cause,
            retry,
            wait.toMillis());
        TimeUnit.MILLISECONDS.sleep(wait.toMillis());
      }
    }
  }

  /**
   * Runs the lane's work for an announced attempt on the calling thread, heartbeating meanwhile,
   * then ends it: heartbeats stop, then the ending's final event is published and awaited
   * (bounded). Returns once the attempt has ended; never throws for the work's failures.
   */
  public void run(Attempt attempt, Work work) {
    if (!attempt.isAnnounced()) {
      throw new IllegalStateException(
          "no work before RunStarted is acknowledged: " + attempt.ids().describe());
    }
    enterLogContext(attempt.ids());
    attempt.bindWorkThread(Thread.currentThread());
    try {
      watch(attempt);
      if (attempt.isEnded()) {
        // Stopped and ended between its announcement and now: no work at all.
        return;
      }
      Ending ending;
      try {
        ending = work.run(attempt);
      } catch (RuntimeException e) {
        StopReason reason = attempt.stopReason();
        if (reason != null) {
          ending = attempt.stopEndings().on(attempt, reason);
        } else {
          log(Level.ERROR, e, "the work of %s failed unexpectedly", attempt.ids().describe());
          ending = Ending.of(attempt.runFailed(true, ErrorInfo.of(e)));
        }
      }
      if (attempt.claimEnd(false)) {
        end(attempt, ending, true);
      }
    } finally {
      stopWatching(attempt);
      attempt.bindWorkThread(null);
      leaveLogContext();
      if (settings.onStop() == OnStop.END_AT_ONCE) {
        // A stop may have interrupted this thread; the caller's next attempt starts clean.
        Thread.interrupted();
      }
    }
  }

  /**
   * Stops the attempt for {@code reason}; the first reason wins. With {@link OnStop#ASK_THE_WORK}
   * it wakes the attempt's waits and the work ends itself; true when this reason was recorded. With
   * {@link OnStop#END_AT_ONCE} it also interrupts the work and ends the attempt with the lane's
   * stop ending; true only when this call ended it.
   */
  public boolean stop(Attempt attempt, StopReason reason) {
    boolean endNow = settings.onStop() == OnStop.END_AT_ONCE;
    switch (attempt.stopWith(reason, endNow)) {
      case IGNORED -> {
        return false;
      }
      case RECORDED -> {
        // Asked of the work; or, when ending at once, the work ended first and its ending stands.
        return !endNow;
      }
      default -> {
        end(attempt, attempt.stopEndings().on(attempt, reason), false);
        return true;
      }
    }
  }

  /** Stops the scheduler: no heartbeat is sent any more by this lifecycle. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
  }

  /** Stops the heartbeats, then publishes the ending's final event (if any). */
  private void end(Attempt attempt, Ending ending, boolean onWorkThread) {
    stopWatching(attempt);
    Optional<RunEvent> decided;
    try {
      decided = ending.finalEvent();
    } catch (RuntimeException e) {
      log(Level.ERROR, e, "the end of %s could not be decided", attempt.ids().describe());
      return;
    }
    if (decided.isEmpty()) {
      return;
    }
    RunEvent event = decided.get();
    CompletionStage<Void> sent = send(event);
    if (onWorkThread) {
      boolean acknowledged;
      try {
        awaitAck(sent);
        acknowledged = true;
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        notAcknowledged(attempt, event, e instanceof ExecutionException ? e.getCause() : e);
        acknowledged = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        notAcknowledged(attempt, event, e);
        acknowledged = false;
      }
      ending.afterwards(acknowledged);
    } else {
      // A stopping thread (a consumer, the scheduler) does not wait: the event is with the
      // producer already, ordered after the last heartbeat.
      sent.whenComplete(
          (ok, failure) -> {
            if (failure != null) {
              notAcknowledged(attempt, event, failure);
            }
            ending.afterwards(failure == null);
          });
    }
  }

  private void notAcknowledged(Attempt attempt, RunEvent event, Throwable failure) {
    String type = event.getClass().getSimpleName();
    listener.publishFailed(type);
    // The ledger times the attempt out instead and its retry settles the run.
    log(
        Level.WARNING,
        null,
        "%s of %s not acknowledged: %s",
        type,
        attempt.ids().describe(),
        failure);
  }

  private void watch(Attempt attempt) {
    HeartbeatWatch watch = new HeartbeatWatch(this, attempt);
    attempt.watch = watch;
    if (attempt.isEnded()) {
      // A stop ended it just now and may have looked for a watch before there was one.
      return;
    }
    watch.schedule(scheduler);
  }

  private static void stopWatching(Attempt attempt) {
    HeartbeatWatch watch = attempt.watch;
    if (watch != null) {
      watch.close();
    }
  }

  CompletionStage<Void> send(RunEvent event) {
    try {
      return publisher.send(Topics.RUN_EVENTS, event.key(), event);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void awaitAck(CompletionStage<Void> sent)
      throws ExecutionException, TimeoutException, InterruptedException {
    // The producer's own timeout fails the send first; this bound only guards a publisher that
    // would never complete.
    sent.toCompletableFuture()
        .get(settings.publishTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
  }

  void enterLogContext(AttemptIds ids) {
    logContext.put("tenantId", ids.tenantId());
    logContext.put("jobId", ids.jobId().value());
    logContext.put("runId", ids.runId().value());
    logContext.put("attemptId", ids.attemptId().wireValue());
  }

  void leaveLogContext() {
    for (String key : MDC_KEYS) {
      logContext.remove(key);
    }
  }

  static void log(Level level, Throwable failure, String format, Object... args) {
    String message = String.format(format, args);
    if (failure == null) {
      LOG.log(level, message);
    } else {
      LOG.log(level, message, failure);
    }
  }
}
