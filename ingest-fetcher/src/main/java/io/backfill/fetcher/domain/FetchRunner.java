package io.backfill.fetcher.domain;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.backfill.fetcher.persistence.JobStore.Enqueued;
import io.backfill.kit.attempt.StopReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Runs fetch attempts and knows the ones running in this process.
 *
 * <p>The jobs table is the queue. Starting a job (accepted, resumed, retried) only marks it queued:
 * {@code pending} with {@code queued_at} set, no attempt. Each of the {@code
 * max-concurrent-attempts} slot threads claims the next queued job itself ({@code FOR UPDATE SKIP
 * LOCKED}, so several instances share the queue), publishes RunStarted, and only once the broker
 * acknowledged it is the job {@code running}. Nothing waits in memory: a job no slot has claimed
 * yet is in the database, and a crash loses none of it. A slot looks for work when it frees, when
 * this process queues a job, at start-up, and every {@code queue-poll-interval} (work queued by
 * other instances).
 *
 * <p>Slots are shared fairly between tenants ({@link AttemptSlots}): a claim passes over the jobs
 * of tenants holding their share while another tenant's job waits.
 *
 * <p>Each running attempt's liveness is renewed in the database every heartbeat interval, so a
 * Resume or RetryDue on any instance can tell a dead attempt's {@code running} job (taken over: the
 * new claim fences the old attempt) from a live one (left alone).
 */
@ApplicationScoped
public class FetchRunner {

  private static final Logger LOG = Logger.getLogger(FetchRunner.class);

  /** New jobs. */
  public static final Set<String> NEW = Set.of("pending");

  /**
   * What Resume accepts: every state but fetched (LESSONS 19); {@code running} only when its
   * attempt is dead.
   */
  public static final Set<String> RESUMABLE =
      Set.of("pending", "running", "paused", "failed", "cancelled", "timed_out");

  /**
   * What RetryDue accepts: the ledger retries only runs with no live attempt; {@code running} is
   * taken over only when its attempt is dead in the database too (it died with its process). A
   * {@code fetched} job is retried too: its last attempt's RunCompleted reached the ledger after
   * the ledger had timed that attempt out (a broker outage delays both), so the ledger fenced it
   * and waits for the retry. The retry starts from the done checkpoint and completes the run
   * without fetching or publishing a page again.
   */
  public static final Set<String> RETRYABLE =
      Set.of("pending", "running", "failed", "timed_out", "fetched");

  private final JobStore store;
  private final PagingLoop loop;
  private final AttemptPool<FetchAttempt> pool;
  private final AttemptSlots slots;
  private final Duration deadAfter;
  private final Counter claimFailures;
  private final Counter renewFailures;
  // Claims are made one at a time in this process, so the tenants at their share stay true
  // between reading them and taking the slot.
  private final ReentrantLock claimLock = new ReentrantLock();

  FetchRunner(JobStore store, PagingLoop loop, FetcherConfig config, MeterRegistry registry) {
    this.store = store;
    this.loop = loop;
    int slotCount = config.maxConcurrentAttempts();
    this.slots =
        new AttemptSlots(
            slotCount, config.maxAttemptsPerTenant().orElse(Math.max(1, slotCount / 2)));
    this.deadAfter = config.attemptDeadAfter().orElse(config.heartbeatInterval().multipliedBy(3));
    Gauge.builder("backfill_fetcher_attempts_running", slots, s -> s.inUse())
        .description("Fetch-attempt slots of this process holding a claimed or running attempt")
        .register(registry);
    this.claimFailures =
        Counter.builder("backfill_fetcher_claim_failures_total")
            .description("Claims of queued jobs that failed (database unavailable)")
            .register(registry);
    this.renewFailures =
        Counter.builder("backfill_fetcher_liveness_renewal_failures_total")
            .description("Renewals of running attempts' liveness that failed")
            .register(registry);
    this.pool =
        new AttemptPool<>(
            "fetch",
            "fetch-attempt",
            new AttemptPool.Lane<FetchAttempt>() {
              @Override
              public FetchAttempt claim() {
                return claimNext();
              }

              @Override
              public void run(FetchAttempt attempt) {
                LOG.infof(
                    "starting fetch attempt (%s) from page %d",
                    attempt.describe(), attempt.state().pages());
                loop.run(attempt);
              }

              @Override
              public void ended(FetchAttempt attempt) {
                slots.release(attempt.tenantId());
              }

              @Override
              public void claimFailed(RuntimeException failure) {
                claimFailures.increment();
              }

              @Override
              public void renew(List<AttemptId> attempts) {
                renewLiveness(attempts);
              }
            },
            slotCount,
            config.queuePollInterval(),
            config.heartbeatInterval());
  }

  /** Start-up: the slots pick up whatever was queued before, by this or another instance. */
  void onStart(@Observes StartupEvent event) {
    pool.start();
  }

  /**
   * Queues the job's fetch if it is in one of {@code from} (a {@code running} job only when its
   * attempt is dead); true when it is queued or already owned by a live attempt, false when it is
   * in no state the caller allows. A slot of any instance claims it.
   */
  public boolean start(JobId jobId, Set<String> from, String why) {
    Enqueued enqueued =
        QuarkusTransaction.requiringNew()
            .call(() -> store.enqueue(jobId, from, deadAfter, this::aliveHere));
    switch (enqueued) {
      case QUEUED -> {
        LOG.infof("job %s queued for a fetch attempt: %s", jobId, why);
        pool.wake();
        return true;
      }
      case ALREADY_OWNED -> {
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  /** Claims the next queued job for a new attempt in a slot of this process, or null. */
  private FetchAttempt claimNext() {
    claimLock.lock();
    try {
      if (pool.stopping()) {
        return null;
      }
      AttemptId attemptId = AttemptId.random();
      Set<String> atShare = slots.atShare();
      Optional<JobRow> claimed =
          QuarkusTransaction.requiringNew()
              .call(() -> store.claimNext(attemptId, atShare, deadAfter));
      if (claimed.isEmpty() && !atShare.isEmpty()) {
        // No other tenant waits: a tenant at its share may use the free slot.
        claimed =
            QuarkusTransaction.requiringNew()
                .call(() -> store.claimNext(attemptId, List.of(), deadAfter));
      }
      if (claimed.isEmpty()) {
        return null;
      }
      FetchAttempt attempt = loop.attempt(claimed.get(), attemptId);
      slots.take(attempt.tenantId());
      pool.claimed(attempt);
      return attempt;
    } finally {
      claimLock.unlock();
    }
  }

  private void renewLiveness(List<AttemptId> ids) {
    if (ids.isEmpty()) {
      return;
    }
    try {
      QuarkusTransaction.requiringNew().call(() -> store.renewAlive(ids));
    } catch (RuntimeException e) {
      // The attempts go on; if this lasts past the dead-after bound, a Resume or RetryDue may take
      // their jobs over, and the claim fences them at their next checkpoint.
      renewFailures.increment();
      LOG.warnf(
          "could not renew the liveness of %d running fetch attempts %s: %s",
          ids.size(), ids, e.getMessage());
    }
  }

  private boolean aliveHere(UUID attemptId) {
    return pool.runsAttempt(attemptId);
  }

  /** Asks the job's attempt in this process, if any, to stop. */
  public void stop(JobId jobId, StopReason reason) {
    pool.stop(jobId, reason);
  }

  /** Asks one specific attempt to stop (a RunTimedOut names the attempt it timed out). */
  public void stop(JobId jobId, AttemptId attemptId, StopReason reason) {
    pool.stop(jobId, attemptId, reason);
  }

  /** The attempt of a job running in this process, if any. */
  public Optional<FetchAttempt> attemptOf(JobId jobId) {
    return pool.attemptOf(jobId);
  }

  /** Graceful shutdown: attempts checkpoint and hand back (retryable) instead of dying mid-page. */
  void shutdown(@Observes ShutdownEvent event) {
    pool.shutdown();
  }
}
