package io.backfill.fetcher.domain;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.FollowStarted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.id.AttemptId;
import io.backfill.fetcher.graph.GraphRequestRejected;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.fetcher.persistence.FollowStore;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.AttemptStoppedException;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs one fetch attempt to its end through the services' one {@link AttemptLifecycle}: RunStarted
 * acknowledged before the first Graph call; heartbeats on the lifecycle's scheduler; then per page:
 * fetch (retries inside), publish the chunk and wait for the ack, move the checkpoint (fenced by
 * the attempt id), JobFetchProgress. The attempt ends with RunCompleted{chunks, messages},
 * RunFailed{retryable, error}, or RunStopped{paused | cancelled} when a command ended it.
 *
 * <p>Stops are asked of the work ({@code ASK_THE_WORK}): a command, the ledger's timeout or
 * self-fencing wakes the attempt from a backoff, the page in flight finishes, and the loop records
 * the end in the job row before the lifecycle publishes the final event.
 *
 * <p>A crash after a chunk's ack but before its checkpoint re-fetches that one page on resume and
 * publishes it again with the same seq (the worker dedups on runId). Transactions are short and
 * never span a Graph call or a Kafka send.
 */
@ApplicationScoped
public class PagingLoop {

  private static final Logger LOG = Logger.getLogger(PagingLoop.class);

  private final JobStore store;
  private final WindowPaging windowPaging;
  private final FollowedHistory followedHistory;
  private final JobEventsPublisher jobEvents;
  private final AttemptLifecycle lifecycle;
  private final FetchMetrics metrics;
  private final TransientRetry retry;
  private final FollowStore follow;
  private final FollowRound rounds;

  PagingLoop(
      JobStore store,
      WindowPaging windowPaging,
      FollowedHistory followedHistory,
      JobEventsPublisher jobEvents,
      AttemptLifecycle lifecycle,
      FetchMetrics metrics,
      TransientRetry retry,
      FollowStore follow,
      FollowRound rounds) {
    this.follow = follow;
    this.rounds = rounds;
    this.retry = retry;
    this.store = store;
    this.windowPaging = windowPaging;
    this.followedHistory = followedHistory;
    this.jobEvents = jobEvents;
    this.lifecycle = lifecycle;
    this.metrics = metrics;
  }

  /** A new attempt of the claimed job, not yet announced. */
  public FetchAttempt attempt(JobRow job, AttemptId attemptId) {
    return new FetchAttempt(job, attemptId, lifecycle, this::stop);
  }

  /** Runs the attempt on the calling thread until it ends; never throws. */
  public void run(FetchAttempt attempt) {
    boolean announced;
    try {
      announced = lifecycle.announce(attempt.lifecycle());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      announced = false;
    }
    if (!announced) {
      // Without an acknowledged RunStarted no Graph call may be made; the lifecycle logged why.
      ended(attempt, "retryable_failed");
      release(
          attempt,
          "failed",
          ErrorInfo.coded("RunStartedNotAcknowledged", "RunStarted was not acknowledged"));
      return;
    }
    lifecycle.run(attempt.lifecycle(), running -> work(attempt));
  }

  private Ending work(FetchAttempt attempt) {
    Optional<Ending> notRun = markRunning(attempt);
    return notRun.isPresent() ? notRun.get() : pageToTheEnd(attempt);
  }

  /**
   * The job becomes {@code running} now that RunStarted is acknowledged; an ending when the attempt
   * ends here instead: superseded, paused or cancelled while it was being claimed, or the database
   * would not record it (the claim then lapses and the job is claimed again).
   */
  private Optional<Ending> markRunning(FetchAttempt attempt) {
    Optional<String> status;
    try {
      status =
          retry.call(
              "mark_running",
              attempt.describe(),
              () ->
                  QuarkusTransaction.requiringNew()
                      .call(() -> store.markRunning(attempt.jobId(), attempt.attemptId())));
    } catch (RuntimeException e) {
      ErrorInfo error = ErrorInfo.of(e);
      LOG.errorf(
          e, "the job could not be marked running (%s): attempt not run", attempt.describe());
      return Optional.of(
          decided(
              () -> {
                ended(attempt, "retryable_failed");
                release(attempt, "failed", error);
                return Optional.of(attempt.lifecycle().runFailed(true, error));
              }));
    }
    if (status.isEmpty()) {
      return Optional.of(
          decided(
              () -> {
                ended(attempt, StopReason.SUPERSEDED.tag());
                LOG.infof("attempt superseded before it ran (%s)", attempt.describe());
                return Optional.empty();
              }));
    }
    String now = status.get();
    if (now.equals("paused") || now.equals("cancelled")) {
      // The command came while the job was being claimed; the command already announced it.
      return Optional.of(
          decided(
              () -> {
                ended(attempt, now);
                release(attempt, now, null);
                return Optional.of(
                    attempt
                        .lifecycle()
                        .runStopped(
                            now.equals("paused") ? RunStopped.PAUSED : RunStopped.CANCELLED,
                            now + " before the first page of this attempt"));
              }));
    }
    return Optional.empty();
  }

  /** Pages until the last page or a stop; returns how the attempt ends. */
  private Ending pageToTheEnd(FetchAttempt attempt) {
    try {
      page(attempt);
      return complete(attempt);
    } catch (AttemptStoppedException stopped) {
      return stop(attempt, stopped.reason());
    } catch (GraphRequestRejected rejected) {
      return fail(attempt, rejected, graphError(rejected), false);
    } catch (RuntimeException e) {
      if (attempt.stopReason() == StopReason.SELF_FENCED) {
        // The broker that took no heartbeats took no chunk either: one cause, the attempt fenced.
        return stop(attempt, StopReason.SELF_FENCED);
      }
      return fail(attempt, e, ErrorInfo.of(e), true);
    }
  }

  private void page(FetchAttempt attempt) {
    attempt.phase("paging");
    if (attempt.job().follow()) {
      followedHistory.page(attempt);
    } else {
      windowPaging.page(attempt);
    }
  }

  /**
   * Decided once heartbeats have stopped: the job row records the end first, then the final event;
   * job events follow it.
   */
  private Ending complete(FetchAttempt attempt) {
    PagingState done = attempt.state();
    return new Ending() {
      private Optional<String> left = Optional.empty();
      private Optional<String> following = Optional.empty();

      @Override
      public Optional<RunEvent> finalEvent() {
        left = releaseAs(attempt, "fetched");
        if (left.isEmpty()) {
          // Not recorded: superseded (a newer attempt owns the run and will complete it), or the
          // database failed, and then the ledger times this attempt out and its retry completes
          // from the checkpoint without fetching. Either way no RunCompleted the job row does not
          // show.
          ended(attempt, StopReason.SUPERSEDED.tag());
          LOG.warnf(
              "fetched every page but could not record it; no RunCompleted (%s)",
              attempt.describe());
          return Optional.empty();
        }
        ended(attempt, "completed");
        if (attempt.job().follow()) {
          following = startFollowing(attempt);
        }
        return Optional.of(attempt.lifecycle().runCompleted(done.pages(), done.messages()));
      }

      @Override
      public void afterwards(boolean acknowledged) {
        LOG.infof(
            "fetched %d messages in %d chunks (%s)",
            done.messages(), done.pages(), attempt.describe());
        if (following.isPresent() && !following.get().equals("ended")) {
          send(
              attempt,
              FollowStarted.of(attempt.tenantId(), attempt.jobId(), intervalOf(attempt.job())));
        }
        // A Pause or Cancel that came during the last page keeps the job paused or cancelled: it
        // is announced here, as the attempt it reached would have.
        if (left.filter("paused"::equals).isPresent()) {
          send(
              attempt,
              JobPaused.of(attempt.tenantId(), attempt.jobId(), "paused after the last page"));
        } else if (left.filter("cancelled"::equals).isPresent()) {
          send(
              attempt,
              JobCancelled.of(
                  attempt.tenantId(), attempt.jobId(), "cancelled after the last page"));
        }
      }
    };
  }

  private Ending stop(FetchAttempt attempt, StopReason reason) {
    PagingState at = attempt.state();
    String where = "at page " + at.pages() + " (" + at.messages() + " messages)";
    Optional<JobEvent> announce =
        switch (reason) {
          case PAUSED ->
              Optional.of(JobPaused.of(attempt.tenantId(), attempt.jobId(), "paused " + where));
          case CANCELLED ->
              Optional.of(
                  JobCancelled.of(attempt.tenantId(), attempt.jobId(), "cancelled " + where));
          default -> Optional.empty();
        };
    return decided(
        () -> {
          ended(attempt, reason.tag());
          LOG.infof("attempt stopped (%s) %s (%s)", reason.tag(), where, attempt.describe());
          switch (reason) {
            case PAUSED, CANCELLED -> {
              // The attempt ends parked, not failed: a paused job never looks stale or failed to
              // the ledger, and Resume starts a new attempt.
              release(attempt, reason.tag(), null);
              return Optional.of(
                  attempt.lifecycle().runStopped(reason.tag(), reason.tag() + " " + where));
            }
            case SHUTDOWN, SELF_FENCED, DEADLINE -> {
              ErrorInfo error = Endings.handedBack(reason, "attempt handed back " + where);
              release(attempt, "running", error);
              return Optional.of(attempt.lifecycle().runFailed(true, error));
            }
            default -> {
              // Fenced: the ledger already ended this attempt, or a newer one owns the run.
              return Optional.empty();
            }
          }
        },
        () -> announce.ifPresent(event -> send(attempt, event)));
  }

  private Ending fail(FetchAttempt attempt, Exception e, ErrorInfo error, boolean retryable) {
    return decided(
        () -> {
          ended(attempt, retryable ? "retryable_failed" : "failed");
          LOG.errorf(
              retryable ? e : null,
              "attempt failed (%s, %s): %s",
              retryable ? "retryable" : "non-retryable",
              attempt.describe(),
              e.getMessage());
          if (!release(attempt, "failed", error)) {
            return Optional.empty();
          }
          return Optional.of(attempt.lifecycle().runFailed(retryable, error));
        },
        () -> {
          if (!retryable) {
            send(
                attempt,
                new JobFailed(
                    UUID.randomUUID(),
                    1,
                    Instant.now(),
                    attempt.tenantId(),
                    attempt.jobId(),
                    error));
          }
        });
  }

  /** History done: following starts (its first round due after the interval). */
  private Optional<String> startFollowing(FetchAttempt attempt) {
    try {
      return retry.call(
          "start_following",
          attempt.describe(),
          () ->
              QuarkusTransaction.requiringNew()
                  .call(
                      () ->
                          follow.startFollowing(attempt.jobId(), rounds.nextDelay(attempt.job()))));
    } catch (RuntimeException e) {
      LOG.errorf(e, "could not start following (%s)", attempt.describe());
      return Optional.empty();
    }
  }

  private int intervalOf(JobRow job) {
    return rounds.intervalOf(job);
  }

  private static Ending decided(Supplier<Optional<RunEvent>> decide) {
    return Endings.decided(decide, () -> {});
  }

  private static Ending decided(Supplier<Optional<RunEvent>> decide, Runnable afterwards) {
    return Endings.decided(decide, afterwards);
  }

  /** Graph's code as the error type and its message, with our trace for where it happened. */
  private static ErrorInfo graphError(GraphRequestRejected rejected) {
    ErrorInfo trace = ErrorInfo.of(rejected);
    return new ErrorInfo(rejected.code(), rejected.getMessage(), trace.stackTrace());
  }

  private Optional<String> releaseAs(FetchAttempt attempt, String status) {
    try {
      return retry.call(
          "checkpoint",
          attempt.describe(),
          () ->
              QuarkusTransaction.requiringNew()
                  .call(() -> store.releaseAs(attempt.jobId(), attempt.attemptId(), status, null)));
    } catch (RuntimeException e) {
      LOG.errorf(
          e, "could not record the end of the attempt as %s (%s)", status, attempt.describe());
      return Optional.empty();
    }
  }

  private boolean release(FetchAttempt attempt, String status, ErrorInfo error) {
    try {
      return QuarkusTransaction.requiringNew()
          .call(() -> store.release(attempt.jobId(), attempt.attemptId(), status, error));
    } catch (RuntimeException e) {
      LOG.errorf(
          e, "could not record the end of the attempt as %s (%s)", status, attempt.describe());
      return false;
    }
  }

  private void send(FetchAttempt attempt, JobEvent event) {
    try {
      jobEvents.publish(event);
    } catch (RuntimeException e) {
      LOG.errorf(
          "%s could not be published (%s): %s",
          event.getClass().getSimpleName(), attempt.describe(), e.getMessage());
    }
  }

  private void ended(FetchAttempt attempt, String outcome) {
    metrics.attemptEnded(outcome);
  }
}
