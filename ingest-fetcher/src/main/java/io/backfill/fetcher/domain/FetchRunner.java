package io.backfill.fetcher.domain;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Starts fetch attempts and knows the ones running in this process. Starting one is claiming the
 * job for a fresh attempt id in the database (from the states the caller allows), then running the
 * {@link PagingLoop} on a pool thread; a claim that finds the job in another state starts nothing.
 * Stopping one is a request the attempt honours between pages or during a backoff.
 */
@ApplicationScoped
public class FetchRunner {

  private static final Logger LOG = Logger.getLogger(FetchRunner.class);

  /** New jobs. */
  public static final Set<String> NEW = Set.of("pending");

  /** What Resume accepts: every state but running and fetched (LESSONS 19). */
  public static final Set<String> RESUMABLE =
      Set.of("pending", "paused", "failed", "cancelled", "timed_out");

  /**
   * What RetryDue accepts: the ledger retries only runs with no running attempt, so "running" here
   * is a job whose attempt died with its process or was handed back at shutdown.
   */
  public static final Set<String> RETRYABLE = Set.of("pending", "running", "failed", "timed_out");

  private final JobStore store;
  private final PagingLoop loop;
  private final ExecutorService pool;
  private final Map<JobId, FetchAttempt> running = new ConcurrentHashMap<>();

  FetchRunner(JobStore store, PagingLoop loop, FetcherConfig config) {
    this.store = store;
    this.loop = loop;
    this.pool =
        Executors.newFixedThreadPool(
            config.maxConcurrentAttempts(),
            task -> {
              Thread thread = new Thread(task, "fetch-attempt");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Claims the job for a new attempt and runs it; false when the job is in none of {@code from}.
   */
  public boolean start(JobId jobId, Set<String> from, String why) {
    AttemptId attemptId = AttemptId.random();
    Optional<JobRow> claimed =
        QuarkusTransaction.requiringNew().call(() -> store.claim(jobId, attemptId, from));
    if (claimed.isEmpty()) {
      return false;
    }
    FetchAttempt attempt = new FetchAttempt(claimed.get(), attemptId);
    FetchAttempt previous = running.put(jobId, attempt);
    if (previous != null) {
      previous.stop(StopReason.SUPERSEDED);
    }
    LOG.infof(
        "starting fetch attempt (%s) from page %d: %s",
        attempt.describe(), attempt.state().pages(), why);
    pool.execute(
        () -> {
          try {
            loop.run(attempt);
          } finally {
            running.remove(jobId, attempt);
          }
        });
    return true;
  }

  /** Asks the job's attempt in this process, if any, to stop. */
  public void stop(JobId jobId, StopReason reason) {
    FetchAttempt attempt = running.get(jobId);
    if (attempt != null) {
      attempt.stop(reason);
    }
  }

  /** Asks one specific attempt to stop (a RunTimedOut names the attempt it timed out). */
  public void stop(JobId jobId, AttemptId attemptId, StopReason reason) {
    FetchAttempt attempt = running.get(jobId);
    if (attempt != null && attempt.attemptId().equals(attemptId)) {
      attempt.stop(reason);
    }
  }

  /** The attempt of a job running in this process, if any. */
  public Optional<FetchAttempt> attemptOf(JobId jobId) {
    return Optional.ofNullable(running.get(jobId));
  }

  /** Graceful shutdown: attempts checkpoint and hand back (retryable) instead of dying mid-page. */
  void shutdown(@Observes ShutdownEvent event) {
    running.values().forEach(attempt -> attempt.stop(StopReason.SHUTDOWN));
    pool.shutdown();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warnf("%d fetch attempts did not end within 10 s of shutdown", running.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
