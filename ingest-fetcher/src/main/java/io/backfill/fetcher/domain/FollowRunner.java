package io.backfill.fetcher.domain;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.persistence.FollowStore;
import io.backfill.fetcher.persistence.FollowStore.Round;
import io.backfill.kit.attempt.StopReason;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs followed jobs' delta rounds. The jobs table is the schedule: a round is due at {@code
 * follow_due_at}; each of {@code follow.max-concurrent-rounds} slot threads claims the most overdue
 * due round itself ({@code FOR UPDATE SKIP LOCKED}, so instances share the schedule and never run
 * one round twice) and runs it on its thread. A round attempt's liveness is renewed every heartbeat
 * interval; a round whose attempt died (its process killed) is claimed again once it is dead, and
 * resumes from the folders' stored next links. The follow gauges are read on the same schedule.
 */
@ApplicationScoped
public class FollowRunner {

  private static final Logger LOG = Logger.getLogger(FollowRunner.class);

  private final FollowStore store;
  private final FollowRound round;
  private final FollowMetrics metrics;
  private final Duration deadAfter;
  private final int overdueIntervals;
  private final int defaultInterval;
  private final AttemptPool<FollowAttempt> pool;

  FollowRunner(FollowStore store, FollowRound round, FollowMetrics metrics, FetcherConfig config) {
    this.store = store;
    this.round = round;
    this.metrics = metrics;
    this.deadAfter = config.attemptDeadAfter().orElse(config.heartbeatInterval().multipliedBy(3));
    this.overdueIntervals = config.follow().overdueAfterIntervals();
    this.defaultInterval = config.follow().intervalSeconds();
    this.pool =
        new AttemptPool<>(
            "follow",
            "follow-round",
            new AttemptPool.Lane<FollowAttempt>() {
              @Override
              public FollowAttempt claim() {
                return FollowRunner.this.claim();
              }

              @Override
              public void run(FollowAttempt attempt) {
                LOG.infof("starting round attempt (%s)", attempt.describe());
                round.run(attempt);
              }

              @Override
              public void renew(List<AttemptId> attempts) {
                renewAndMeasure(attempts);
              }
            },
            config.follow().maxConcurrentRounds(),
            config.follow().pollInterval(),
            config.heartbeatInterval());
  }

  void onStart(@Observes StartupEvent event) {
    pool.start();
  }

  /** A round may have become due now (FollowJob, Resume, RetryDue): a slot looks at once. */
  public void wake() {
    pool.wake();
  }

  /** The deadline after which a round attempt that was not renewed is dead. */
  public Duration deadAfter() {
    return deadAfter;
  }

  private synchronized FollowAttempt claim() {
    if (pool.stopping()) {
      return null;
    }
    AttemptId attemptId = AttemptId.random();
    Optional<Round> claimed =
        QuarkusTransaction.requiringNew().call(() -> store.claimDue(attemptId, deadAfter));
    if (claimed.isEmpty()) {
      return null;
    }
    FollowAttempt attempt = round.attempt(claimed.get(), attemptId);
    pool.claimed(attempt);
    return attempt;
  }

  private void renewAndMeasure(List<AttemptId> ids) {
    try {
      if (!ids.isEmpty()) {
        QuarkusTransaction.requiringNew().run(() -> store.renewAlive(ids));
      }
      metrics.gauges(
          QuarkusTransaction.requiringNew()
              .call(() -> store.gauges(overdueIntervals, defaultInterval)));
    } catch (RuntimeException e) {
      // The rounds go on; past the dead-after bound another instance may take them over, and
      // the claim fences these attempts at their next checkpoint.
      LOG.warnf(
          "could not renew the liveness of %d round attempts %s or read the follow gauges: %s",
          ids.size(), ids, e.getMessage());
    }
  }

  /** Asks the job's round attempt in this process, if any, to stop. */
  public void stop(JobId jobId, StopReason reason) {
    pool.stop(jobId, reason);
  }

  /** Asks one specific round attempt to stop (RunTimedOut). */
  public void stop(JobId jobId, AttemptId attemptId, StopReason reason) {
    pool.stop(jobId, attemptId, reason);
  }

  void shutdown(@Observes ShutdownEvent event) {
    pool.shutdown();
  }
}
