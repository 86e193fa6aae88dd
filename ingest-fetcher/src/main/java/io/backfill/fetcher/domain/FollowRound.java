package io.backfill.fetcher.domain;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.FollowRoundCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.id.AttemptId;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.graph.GraphRequestRejected;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.fetcher.persistence.FolderStore;
import io.backfill.fetcher.persistence.FollowStore;
import io.backfill.fetcher.persistence.FollowStore.EndedRound;
import io.backfill.fetcher.persistence.FollowStore.Round;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.AttemptStoppedException;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs one attempt of a followed job's delta round (decision 0037) through the one {@link
 * AttemptLifecycle}: RunStarted acknowledged before the first Graph call, heartbeats, then the
 * folders ({@link RoundPaging}). The round ends with the folders' new delta links, RunCompleted,
 * FollowRoundCompleted and the next round due after the interval (jittered); a stop or failure
 * leaves it open for a later attempt.
 */
@ApplicationScoped
public class FollowRound {

  private static final Logger LOG = Logger.getLogger(FollowRound.class);

  private final FollowStore store;
  private final FolderStore folderStore;
  private final RoundPaging paging;
  private final JobEventsPublisher jobEvents;
  private final AttemptLifecycle lifecycle;
  private final FollowMetrics metrics;
  private final TransientRetry retry;
  private final FetcherConfig.Follow config;

  FollowRound(
      FollowStore store,
      FolderStore folderStore,
      RoundPaging paging,
      JobEventsPublisher jobEvents,
      AttemptLifecycle lifecycle,
      FollowMetrics metrics,
      TransientRetry retry,
      FetcherConfig config) {
    this.store = store;
    this.folderStore = folderStore;
    this.paging = paging;
    this.jobEvents = jobEvents;
    this.lifecycle = lifecycle;
    this.metrics = metrics;
    this.retry = retry;
    this.config = config.follow();
  }

  public FollowAttempt attempt(Round round, AttemptId attemptId) {
    return new FollowAttempt(round, attemptId, lifecycle, this::stop);
  }

  /** The job's seconds between rounds: its own, or the configured default. */
  public int intervalOf(JobRow job) {
    return job.followIntervalSeconds() != null
        ? job.followIntervalSeconds()
        : config.intervalSeconds();
  }

  /** The wait before a job's next round: its interval, ± the jitter. */
  public Duration nextDelay(JobRow job) {
    int interval = intervalOf(job);
    double factor = 1 + config.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Duration.ofMillis(Math.round(interval * 1000.0 * factor));
  }

  /** Runs the attempt on the calling thread until it ends; never throws. */
  public void run(FollowAttempt attempt) {
    boolean announced;
    try {
      announced = lifecycle.announce(attempt.lifecycle());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      announced = false;
    }
    if (!announced) {
      metrics.roundEnded("failed");
      release(attempt, null);
      return;
    }
    lifecycle.run(attempt.lifecycle(), running -> roundToTheEnd(attempt));
  }

  private Ending roundToTheEnd(FollowAttempt attempt) {
    try {
      attempt.phase("paging");
      paging.folders(attempt);
      return complete(attempt);
    } catch (AttemptStoppedException stopped) {
      return stop(attempt, stopped.reason());
    } catch (GraphRequestRejected rejected) {
      ErrorInfo trace = ErrorInfo.of(rejected);
      return fail(
          attempt,
          rejected,
          new ErrorInfo(rejected.code(), rejected.getMessage(), trace.stackTrace()),
          false);
    } catch (RuntimeException e) {
      if (attempt.stopReason() == StopReason.SELF_FENCED) {
        return stop(attempt, StopReason.SELF_FENCED);
      }
      return fail(attempt, e, ErrorInfo.of(e), true);
    }
  }

  private Ending complete(FollowAttempt attempt) {
    // The round's FollowRoundCompleted goes after its RunCompleted.
    FollowRoundCompleted[] pendingEvent = new FollowRoundCompleted[1];
    return Endings.decided(
        () -> {
          Duration delay = nextDelay(attempt.job());
          Optional<EndedRound> ended;
          try {
            ended =
                retry.call(
                    "end_round",
                    attempt.describe(),
                    () ->
                        QuarkusTransaction.requiringNew()
                            .call(
                                () -> store.endRound(attempt.jobId(), attempt.attemptId(), delay)));
          } catch (RuntimeException e) {
            LOG.errorf(e, "could not record the end of the round (%s)", attempt.describe());
            ended = Optional.empty();
          }
          if (ended.isEmpty()) {
            // Fenced (a newer attempt owns the round) or not recorded: the round stays open and
            // its next attempt ends it, without a RunCompleted here the job row does not show.
            metrics.roundEnded("stopped");
            LOG.warnf("round listed but its end was not recorded (%s)", attempt.describe());
            return Optional.empty();
          }
          EndedRound r = ended.get();
          Integer first = r.firstSeq();
          Integer last = first == null ? null : r.pagesPublished();
          FollowRoundCompleted done =
              new FollowRoundCompleted(
                  UUID.randomUUID(),
                  1,
                  Instant.now(),
                  attempt.tenantId(),
                  attempt.jobId(),
                  attempt.round().round(),
                  r.startedAt(),
                  foldersOf(attempt),
                  r.listed(),
                  r.removed(),
                  r.resynced(),
                  r.requests(),
                  first,
                  last);
          metrics.roundEnded("completed");
          LOG.infof(
              "round %d listed %d, removed %d, resynced %d folders in %d Graph requests; next in"
                  + " %d s (%s)",
              done.round(),
              done.listed(),
              done.removed(),
              done.resyncedFolders(),
              done.graphRequests(),
              delay.toSeconds(),
              attempt.describe());
          pendingEvent[0] = done;
          return Optional.of(
              attempt.lifecycle().runCompleted(attempt.chunks, done.listed() + done.removed()));
        },
        () -> {
          if (pendingEvent[0] != null) {
            send(attempt, pendingEvent[0]);
          }
        });
  }

  private int foldersOf(FollowAttempt attempt) {
    try {
      return tx(() -> folderStore.folders(attempt.jobId())).size();
    } catch (RuntimeException e) {
      LOG.warnf("could not count the folders (%s): %s", attempt.describe(), e.getMessage());
      return 0;
    }
  }

  private Ending stop(FollowAttempt attempt, StopReason reason) {
    return Endings.decided(
        () -> {
          switch (reason) {
            case PAUSED, CANCELLED -> {
              metrics.roundEnded("stopped");
              release(attempt, null);
              LOG.infof("round stopped (%s) (%s)", reason.tag(), attempt.describe());
              return Optional.of(
                  attempt
                      .lifecycle()
                      .runStopped(
                          reason == StopReason.PAUSED ? RunStopped.PAUSED : RunStopped.CANCELLED,
                          reason.tag() + " after " + attempt.chunks + " chunks of this attempt"));
            }
            case SHUTDOWN, SELF_FENCED, DEADLINE -> {
              metrics.roundEnded("failed");
              ErrorInfo error = Endings.handedBack(reason, "round attempt handed back");
              LOG.warnf("round handed back (%s) (%s)", reason.tag(), attempt.describe());
              release(attempt, null);
              return Optional.of(attempt.lifecycle().runFailed(true, error));
            }
            default -> {
              metrics.roundEnded("stopped");
              LOG.infof("round attempt fenced (%s) (%s)", reason.tag(), attempt.describe());
              return Optional.empty();
            }
          }
        },
        () -> {});
  }

  private Ending fail(FollowAttempt attempt, Exception e, ErrorInfo error, boolean retryable) {
    return Endings.decided(
        () -> {
          metrics.roundEnded("failed");
          LOG.errorf(
              retryable ? e : null,
              "round attempt failed (%s, %s): %s",
              retryable ? "retryable" : "non-retryable",
              attempt.describe(),
              e.getMessage());
          // The open round is tried again after an interval (or at once on the ledger's RetryDue);
          // a refusal retrying cannot fix (mailbox gone, access revoked) waits ten intervals.
          Duration later = nextDelay(attempt.job()).multipliedBy(retryable ? 1 : 10);
          if (!release(attempt, later)) {
            return Optional.empty();
          }
          return Optional.of(attempt.lifecycle().runFailed(retryable, error));
        },
        () -> {});
  }

  private boolean release(FollowAttempt attempt, Duration retryAfter) {
    try {
      return QuarkusTransaction.requiringNew()
          .call(() -> store.release(attempt.jobId(), attempt.attemptId(), retryAfter));
    } catch (RuntimeException e) {
      LOG.errorf(e, "could not release the round (%s)", attempt.describe());
      return false;
    }
  }

  private void send(FollowAttempt attempt, JobEvent event) {
    try {
      jobEvents.publish(event);
    } catch (RuntimeException e) {
      LOG.errorf(
          "%s could not be published (%s): %s",
          event.getClass().getSimpleName(), attempt.describe(), e.getMessage());
    }
  }

  private <T> T tx(Supplier<T> work) {
    return retry.call(
        "follow_store", "follow", () -> QuarkusTransaction.requiringNew().call(work::get));
  }
}
