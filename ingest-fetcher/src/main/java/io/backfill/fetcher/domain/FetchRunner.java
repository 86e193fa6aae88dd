package io.backfill.fetcher.domain;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.fetcher.config.FetcherConfig;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
 *
 * <p>Attempts take one of {@code max-concurrent-attempts} slots, shared fairly between tenants
 * ({@link AttemptSlots}). A job without a slot waits in this process's queue as {@code pending}: it
 * is claimed, and becomes {@code running}, only when its slot is free, so a Pause or Cancel while
 * it waits simply makes the later claim find nothing to start.
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
  private final AttemptSlots slots;
  private final Counter queueFull;

  FetchRunner(JobStore store, PagingLoop loop, FetcherConfig config, MeterRegistry registry) {
    this.store = store;
    this.loop = loop;
    int max = config.maxConcurrentAttempts();
    this.slots =
        new AttemptSlots(
            max,
            config.maxAttemptsPerTenant().orElse(Math.max(1, max / 2)),
            config.maxWaitingAttempts());
    Gauge.builder("backfill_fetcher_attempts_waiting", slots, AttemptSlots::waitingCount)
        .description("Jobs waiting in this process for a fetch-attempt slot")
        .register(registry);
    this.queueFull =
        Counter.builder("backfill_fetcher_attempts_queue_full_total")
            .description("Jobs left pending because the queue of jobs waiting for a slot was full")
            .register(registry);
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
   * Starts the job's attempt now if its tenant may take a slot, else queues it; false when the job
   * is in none of {@code from} (or the queue is full). A job waiting for a slot is {@code pending}:
   * one in another state (a Resume of a paused job) is moved to pending before it waits.
   */
  public boolean start(JobId jobId, Set<String> from, String why) {
    Optional<JobRow> job = QuarkusTransaction.requiringNew().call(() -> store.find(jobId));
    if (job.isEmpty() || !from.contains(job.get().status())) {
      return false;
    }
    Set<String> claimFrom = from;
    String status = job.get().status();
    if (!status.equals("pending") && !status.equals("running")) {
      // Through pending, so that while it waits the job looks, and is paused or cancelled, as any
      // job that has not started; "running" here is a dead attempt's job and is claimed as it is.
      Optional<String> was =
          QuarkusTransaction.requiringNew()
              .call(() -> store.transition(jobId, Set.of(status), "pending"));
      if (was.isEmpty()) {
        return false;
      }
      claimFrom = NEW;
    }
    AttemptSlots.Waiting waiting =
        new AttemptSlots.Waiting(jobId, job.get().tenantId(), claimFrom, why);
    switch (slots.admit(waiting)) {
      case START:
        return launch(waiting);
      case WAITING:
        LOG.infof(
            "job %s (tenant %s) waits, pending, for a fetch-attempt slot (%d waiting): %s",
            jobId, waiting.tenantId(), slots.waitingCount(), why);
        return true;
      case ALREADY_WAITING:
        return true;
      case QUEUE_FULL:
      default:
        queueFull.increment();
        LOG.warnf(
            "job %s (tenant %s) stays pending: %d jobs already wait for a fetch-attempt slot;"
                + " a Resume starts it",
            jobId, waiting.tenantId(), slots.waitingCount());
        return false;
    }
  }

  /** Drops a job that waits for a slot (paused or cancelled meanwhile). */
  public void withdraw(JobId jobId) {
    if (slots.withdraw(jobId)) {
      LOG.infof("job %s no longer waits for a fetch-attempt slot", jobId);
    }
  }

  /**
   * Claims the job for a new attempt in the slot already taken for it and runs it; false (the slot
   * freed) when the job is no longer in any of the waiting entry's states.
   */
  private boolean launch(AttemptSlots.Waiting waiting) {
    JobId jobId = waiting.jobId();
    AttemptId attemptId = AttemptId.random();
    Optional<JobRow> claimed;
    try {
      claimed =
          QuarkusTransaction.requiringNew()
              .call(() -> store.claim(jobId, attemptId, waiting.from()));
    } catch (RuntimeException e) {
      release(waiting.tenantId());
      throw e;
    }
    if (claimed.isEmpty()) {
      release(waiting.tenantId());
      return false;
    }
    FetchAttempt attempt = new FetchAttempt(claimed.get(), attemptId);
    FetchAttempt previous = running.put(jobId, attempt);
    if (previous != null) {
      previous.stop(StopReason.SUPERSEDED);
    }
    LOG.infof(
        "starting fetch attempt (%s) from page %d: %s",
        attempt.describe(), attempt.state().pages(), waiting.why());
    pool.execute(
        () -> {
          try {
            loop.run(attempt);
          } finally {
            running.remove(jobId, attempt);
            release(waiting.tenantId());
          }
        });
    return true;
  }

  /** Frees a slot and starts the waiting jobs that may now take one. */
  private void release(String tenantId) {
    for (AttemptSlots.Waiting next : slots.release(tenantId)) {
      try {
        launch(next);
      } catch (RuntimeException e) {
        LOG.errorf(
            e,
            "could not start the fetch of job %s (tenant %s) that waited for a slot; it stays"
                + " pending until a Resume",
            next.jobId(),
            next.tenantId());
      }
    }
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
    int waiting = slots.drain().size();
    if (waiting > 0) {
      LOG.infof("%d jobs waiting for a fetch-attempt slot stay pending at shutdown", waiting);
    }
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
