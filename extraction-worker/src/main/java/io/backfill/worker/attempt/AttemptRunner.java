package io.backfill.worker.attempt;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.topic.Topics;
import io.backfill.kit.attempt.AttemptLifecycle;
import io.backfill.kit.attempt.Ending;
import io.backfill.kit.attempt.StopReason;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.ChunkExtractor;
import io.backfill.worker.domain.ChunkExtractor.Extraction;
import io.backfill.worker.domain.ChunkMetrics;
import io.backfill.worker.messaging.EventPublisher;
import io.backfill.worker.persistence.CompletedRunStore;
import io.backfill.worker.persistence.CompletedRunStore.CompletedRun;
import io.backfill.worker.persistence.RunLeaseStore;
import io.backfill.worker.persistence.TransientRetry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs attempts of the {@code extract} lane through the services' one {@link AttemptLifecycle}
 * (announced by a RunStarted that Kafka acknowledged before any work, heartbeats from its
 * scheduler, self-fencing, the deadline, one final event): a bounded number at once, each on a pool
 * thread, ended by ChunkExtracted + RunCompleted or by RunFailed.
 *
 * <p>Every stop ends an attempt at once ({@code END_AT_ONCE}): its work is interrupted and writes
 * nothing more. Past its hard deadline it fails retryable; when its heartbeats could not be
 * delivered for the stale threshold it fails as self-fenced (the ledger may already have given the
 * run to another attempt); when the ledger timed it out it reports nothing.
 *
 * <p>An attempt of a paused or cancelled job ends as RunStopped: before any work when the job was
 * stopped already, or at once when the stop arrives while it runs, unless it is committing its
 * chunk already. Each attempt takes its run's lease (a fencing token) before its work, so only the
 * newest attempt of a run can commit.
 */
@ApplicationScoped
public class AttemptRunner {

  private static final Logger LOG = Logger.getLogger(AttemptRunner.class);

  private final WorkerConfig config;
  private final AttemptLifecycle lifecycle;
  private final EventPublisher publisher;
  private final ChunkExtractor extractor;
  private final CompletedRunStore completedRuns;
  private final ChunkMetrics metrics;
  private final JobStopStates stops;
  private final RunLeaseStore leases;
  private final TransientRetry retry;
  private final Semaphore slots;
  private final ExecutorService workers;
  private final Map<AttemptId, ChunkAttempt> running = new ConcurrentHashMap<>();
  private final AttemptEndings endings;

  AttemptRunner(
      WorkerConfig config,
      AttemptLifecycle lifecycle,
      EventPublisher publisher,
      ChunkExtractor extractor,
      CompletedRunStore completedRuns,
      ChunkMetrics metrics,
      JobStopStates stops,
      RunLeaseStore leases,
      TransientRetry retry) {
    this.config = config;
    this.lifecycle = lifecycle;
    this.publisher = publisher;
    this.extractor = extractor;
    this.completedRuns = completedRuns;
    this.metrics = metrics;
    this.stops = stops;
    this.leases = leases;
    this.retry = retry;
    this.endings = new AttemptEndings(config, publisher, metrics);
    this.slots = new Semaphore(config.attemptsAtOnce(), true);
    AtomicInteger workerNumber = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            config.attemptsAtOnce(),
            task -> {
              Thread thread = new Thread(task, "attempt-" + workerNumber.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  void started(@Observes StartupEvent startup) {
    if (config.sequential()) {
      LOG.warn(
          "sequential mode: one chunk at a time, one message and one LLM call at a time,"
              + " embeddings one by one (the baseline for benchmarks, not for production)");
    }
  }

  void stop(@Observes ShutdownEvent shutdown) {
    running.values().forEach(attempt -> attempt.cancel(StopReason.SHUTDOWN));
    workers.shutdownNow();
    // No more heartbeats, and an announcement waiting for the broker gives up.
    lifecycle.close();
  }

  /** Whether this worker committed the run already (its chunk then needs no new attempt). */
  public Optional<CompletedRun> completed(Chunk chunk) {
    return QuarkusTransaction.requiringNew().call(() -> completedRuns.find(chunk.runId()));
  }

  /**
   * Starts an attempt of the chunk: waits for a free slot (so the caller, the chunk consumer, stops
   * taking records while all slots are busy), then announces it and returns once Kafka acknowledged
   * its RunStarted. The work goes on in the background.
   */
  public ChunkAttempt start(Chunk chunk, ChunkCoordinates coordinates) throws InterruptedException {
    slots.acquire();
    return launch(chunk, coordinates);
  }

  /**
   * As {@link #start}, for a chunk read from {@code backfill.chunks}, unless an attempt of its run
   * was started already (its lease or its commit is here; the attempt that started it is returned).
   * A started run is the ledger's to recover: if that attempt died, the ledger times it out and a
   * RetryDue starts the next one. The chunk's record delivered again (its offset was not committed
   * when a worker died or froze) must not start a second attempt beside that retry. It is checked
   * once a slot is free, right before the announcement, so a wait for a slot does not widen the
   * window.
   */
  public Started startUnlessStarted(Chunk chunk, ChunkCoordinates coordinates)
      throws InterruptedException {
    slots.acquire();
    Optional<AttemptId> startedBy;
    try {
      startedBy = QuarkusTransaction.requiringNew().call(() -> leases.startedBy(chunk.runId()));
    } catch (RuntimeException e) {
      // Unknown (database unreachable): start it; the lease still fences a second writer.
      metrics.startCheckFailed();
      LOG.warnf(
          "could not check whether run %s (tenant %s, job %s) was started already: %s",
          chunk.runId(), chunk.tenantId(), chunk.jobId(), e.toString());
      startedBy = Optional.empty();
    }
    if (startedBy.isPresent()) {
      slots.release();
      return new Started(null, startedBy.get());
    }
    return new Started(launch(chunk, coordinates), null);
  }

  /** What {@link #startUnlessStarted} did: started {@code attempt}, or found {@code earlier}. */
  public record Started(ChunkAttempt attempt, AttemptId earlier) {}

  /** Announces an attempt in a slot already taken and hands its work to a pool thread. */
  private ChunkAttempt launch(Chunk chunk, ChunkCoordinates coordinates)
      throws InterruptedException {
    ChunkAttempt attempt;
    try {
      attempt = announced(chunk, coordinates);
    } catch (RuntimeException | InterruptedException e) {
      slots.release();
      throw e;
    }
    metrics.attemptStarted();
    running.put(attempt.attemptId(), attempt);
    workers.execute(() -> work(attempt));
    return attempt;
  }

  /**
   * Announces a new attempt of a run this worker committed already and completes it at once: a
   * retry of such a run (its first attempt committed but could not report) then ends the run.
   */
  public void completeAgain(Chunk chunk, ChunkCoordinates coordinates, CompletedRun done)
      throws InterruptedException {
    ChunkAttempt attempt = announced(chunk, coordinates);
    publisher.publish(
        Topics.RUN_EVENTS,
        chunk.runId().value(),
        attempt.lifecycle().runCompleted(null, done.messages()));
  }

  /** The ledger timed the attempt out: stop its work; it is fenced, so report nothing. */
  public boolean timedOut(AttemptId attemptId) {
    ChunkAttempt attempt = running.get(attemptId);
    return attempt != null && attempt.cancel(StopReason.TIMED_OUT);
  }

  /**
   * The job was paused or cancelled: every attempt of it running here stops now (its work is
   * interrupted and writes nothing) and reports RunStopped; an attempt committing its chunk already
   * finishes. Only attempts of the same tenant's job are touched.
   */
  public int jobStopped(String tenantId, String jobId, String reason) {
    StopReason stop = StopReason.valueOf(reason.toUpperCase(Locale.ROOT));
    int stopped = 0;
    for (ChunkAttempt attempt : running.values()) {
      Chunk chunk = attempt.chunk();
      if (chunk.tenantId().equals(tenantId)
          && chunk.jobId().value().equals(jobId)
          && attempt.stopForJob(stop)) {
        stopped++;
      }
    }
    return stopped;
  }

  /** A new attempt whose RunStarted Kafka acknowledged (tried again until it is). */
  private ChunkAttempt announced(Chunk chunk, ChunkCoordinates coordinates)
      throws InterruptedException {
    ChunkAttempt attempt = new ChunkAttempt(chunk, coordinates, lifecycle, endings::stopEnding);
    if (!lifecycle.announce(attempt.lifecycle())) {
      // Given up only when the worker shuts down: the record stays uncommitted for the next one.
      throw new IllegalStateException(
          "RunStarted of " + attempt.describe() + " not acknowledged; shutting down");
    }
    return attempt;
  }

  private void work(ChunkAttempt attempt) {
    try {
      lifecycle.run(attempt.lifecycle(), ignored -> extract(attempt));
    } finally {
      running.remove(attempt.attemptId());
      metrics.attemptReleased();
      slots.release();
    }
  }

  private Ending extract(ChunkAttempt attempt) {
    Chunk chunk = attempt.chunk();
    try {
      long deadline = attempt.createdNanos() + config.chunkDeadline().toNanos();
      Optional<String> stop =
          stops.stopReason(chunk.tenantId(), chunk.jobId().value(), attempt.describe(), deadline);
      if (stop.isPresent()) {
        return endings.stopped(attempt, stop.get(), "stopped before any work");
      }
      attempt.leaseTaken(
          retry.call(
              "take_lease",
              attempt.describe(),
              deadline,
              () ->
                  QuarkusTransaction.requiringNew()
                      .call(
                          () ->
                              leases.take(
                                  chunk.runId(), attempt.attemptId(), config.leaseLockTimeout()))));
      attempt.checkNotCancelled();
      Extraction extraction = extractor.extract(attempt);
      metrics.llmChunk(extraction.llm().status());
      return endings.completed(attempt, extraction);
    } catch (RuntimeException e) {
      return endings.failed(attempt, e);
    }
  }
}
