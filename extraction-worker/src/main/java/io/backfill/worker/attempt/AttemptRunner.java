package io.backfill.worker.attempt;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.security.SecretRedaction;
import io.backfill.contracts.topic.Topics;
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
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs attempts of the {@code extract} lane (ARCHITECTURE §4): a bounded number at once, each
 * announced by a RunStarted that Kafka acknowledged before any work, heartbeating from a scheduler
 * thread while a pool thread does the work, ended by ChunkExtracted + RunCompleted or by RunFailed.
 *
 * <p>An attempt is cancelled, and writes nothing more, when it passes its hard deadline (RunFailed,
 * retryable), when its heartbeats could not be delivered for the stale threshold (self-fencing: the
 * ledger may already have given the run to another attempt) or when the ledger timed it out.
 *
 * <p>An attempt of a paused or cancelled job ends as RunStopped: before any work when the job was
 * stopped already, or at once (its work interrupted, nothing written) when the stop arrives while
 * it runs, unless it is committing its chunk already. Each attempt takes its run's lease (a fencing
 * token) before its work, so only the newest attempt of a run can commit.
 */
@ApplicationScoped
public class AttemptRunner {

  private static final Logger LOG = Logger.getLogger(AttemptRunner.class);

  private final WorkerConfig config;
  private final WorkerIdentity identity;
  private final EventPublisher publisher;
  private final ChunkExtractor extractor;
  private final CompletedRunStore completedRuns;
  private final ChunkMetrics metrics;
  private final JobStopStates stops;
  private final RunLeaseStore leases;
  private final TransientRetry retry;
  private final Semaphore slots;
  private final ExecutorService workers;
  private final ScheduledExecutorService scheduler;
  private final Map<AttemptId, ChunkAttempt> running = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  AttemptRunner(
      WorkerConfig config,
      WorkerIdentity identity,
      EventPublisher publisher,
      ChunkExtractor extractor,
      CompletedRunStore completedRuns,
      ChunkMetrics metrics,
      JobStopStates stops,
      RunLeaseStore leases,
      TransientRetry retry) {
    this.stops = stops;
    this.leases = leases;
    this.retry = retry;
    this.config = config;
    this.identity = identity;
    this.publisher = publisher;
    this.extractor = extractor;
    this.completedRuns = completedRuns;
    this.metrics = metrics;
    this.slots = new Semaphore(config.attemptsAtOnce(), true);
    AtomicInteger workerNumber = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            config.attemptsAtOnce(),
            task -> daemon(task, "attempt-" + workerNumber.incrementAndGet()));
    // Two threads: a heartbeat send blocked on missing metadata must not delay every deadline.
    this.scheduler = Executors.newScheduledThreadPool(2, task -> daemon(task, "attempt-watch"));
  }

  void started(@Observes StartupEvent startup) {
    if (config.sequential()) {
      LOG.warn(
          "sequential mode: one chunk at a time, one message and one LLM call at a time,"
              + " embeddings one by one (the baseline for benchmarks, not for production)");
    }
  }

  void stop(@Observes ShutdownEvent shutdown) {
    stopping = true;
    running.values().forEach(attempt -> attempt.cancel("worker shutting down"));
    workers.shutdownNow();
    scheduler.shutdownNow();
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

  private ChunkAttempt launch(Chunk chunk, ChunkCoordinates coordinates)
      throws InterruptedException {
    ChunkAttempt attempt = new ChunkAttempt(chunk, coordinates);
    try {
      announce(attempt);
    } catch (RuntimeException | InterruptedException e) {
      slots.release();
      throw e;
    }
    metrics.attemptStarted();
    running.put(attempt.attemptId(), attempt);
    long intervalMs = config.heartbeatInterval().toMillis();
    attempt.heartbeatAcknowledged();
    attempt.heartbeats =
        scheduler.scheduleAtFixedRate(
            () -> heartbeat(attempt), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    attempt.deadline =
        scheduler.schedule(
            () -> expire(attempt), config.chunkDeadline().toMillis(), TimeUnit.MILLISECONDS);
    workers.execute(() -> work(attempt));
    return attempt;
  }

  /**
   * Announces a new attempt of a run this worker committed already and completes it at once: a
   * retry of such a run (its first attempt committed but could not report) then ends the run.
   */
  public void completeAgain(Chunk chunk, ChunkCoordinates coordinates, CompletedRun done)
      throws InterruptedException {
    ChunkAttempt attempt = new ChunkAttempt(chunk, coordinates);
    announce(attempt);
    publisher.publish(
        Topics.RUN_EVENTS,
        chunk.runId().value(),
        RunCompleted.of(
            chunk.tenantId(),
            chunk.runId(),
            attempt.attemptId(),
            identity.workerId(),
            null,
            done.messages()));
  }

  /** The ledger timed the attempt out: stop its work; it is fenced, so report nothing. */
  public boolean timedOut(AttemptId attemptId) {
    ChunkAttempt attempt = running.get(attemptId);
    if (attempt == null || !attempt.cancel("timed out by the ledger")) {
      return false;
    }
    if (attempt.finish()) {
      metrics.attemptEnded("timed_out");
      metrics.chunkFailed();
    }
    return true;
  }

  /**
   * The job was paused or cancelled: every attempt of it running here stops now (its work is
   * interrupted and writes nothing) and reports RunStopped; an attempt committing its chunk already
   * finishes. Only attempts of the same tenant's job are touched.
   */
  public int jobStopped(String tenantId, String jobId, String reason) {
    int stopped = 0;
    for (ChunkAttempt attempt : running.values()) {
      Chunk chunk = attempt.chunk();
      if (chunk.tenantId().equals(tenantId)
          && chunk.jobId().value().equals(jobId)
          && attempt.stop(reason)
          && attempt.finish()) {
        reportStopped(attempt, reason, "stopped mid-chunk in phase " + attempt.progress().phase());
        stopped++;
      }
    }
    return stopped;
  }

  private void reportFenced(ChunkAttempt attempt, FencedWriteException fenced) {
    Chunk chunk = attempt.chunk();
    try {
      publisher.publish(
          Topics.RUN_EVENTS,
          chunk.runId().value(),
          RunFailed.of(
              chunk.tenantId(),
              chunk.runId(),
              attempt.attemptId(),
              identity.workerId(),
              true,
              ErrorInfo.coded("WriteFenced", fenced.getMessage())));
    } catch (RuntimeException e) {
      // The ledger times the attempt out instead, if it still counts it as the run's current one.
      metrics.publishFailed("RunFailed");
      LOG.warnf(e, "RunFailed of fenced %s not acknowledged", attempt.describe());
    }
  }

  private void reportStopped(ChunkAttempt attempt, String reason, String detail) {
    Chunk chunk = attempt.chunk();
    metrics.chunkStopped(reason);
    LOG.infof(
        "%s stopped: its job was %s (%s); nothing written", attempt.describe(), reason, detail);
    try {
      publisher.publish(
          Topics.RUN_EVENTS,
          chunk.runId().value(),
          RunStopped.of(
              chunk.tenantId(),
              chunk.runId(),
              attempt.attemptId(),
              identity.workerId(),
              reason,
              detail));
    } catch (RuntimeException e) {
      // The ledger times the attempt out instead and retries it; the retry stops again while the
      // job is stopped.
      metrics.publishFailed("RunStopped");
      LOG.warnf(e, "RunStopped of %s not acknowledged", attempt.describe());
    }
  }

  /** Sends RunStarted until Kafka acknowledges it: no work begins before that. */
  private void announce(ChunkAttempt attempt) throws InterruptedException {
    Chunk chunk = attempt.chunk();
    while (true) {
      RunStarted started =
          RunStarted.of(
              chunk.tenantId(),
              chunk.runId(),
              attempt.attemptId(),
              identity.workerId(),
              identity.buildSha(),
              config.heartbeatInterval().toMillis(),
              attempt.coordinates());
      try {
        publisher.publish(Topics.RUN_EVENTS, chunk.runId().value(), started);
        return;
      } catch (RuntimeException e) {
        metrics.publishFailed("RunStarted");
        if (stopping) {
          throw e;
        }
        // Nothing can be done without the broker; the chunk's partition waits with us.
        LOG.warnf(
            e,
            "RunStarted of %s not acknowledged; trying again in %s",
            attempt.describe(),
            config.startRetryBackoff());
        Thread.sleep(config.startRetryBackoff().toMillis());
      }
    }
  }

  private void work(ChunkAttempt attempt) {
    attempt.bindWorkThread(Thread.currentThread());
    attempt.enterLogContext();
    Chunk chunk = attempt.chunk();
    try {
      long deadline = attempt.createdNanos() + config.chunkDeadline().toNanos();
      Optional<String> stop =
          stops.stopReason(chunk.tenantId(), chunk.jobId().value(), attempt.describe(), deadline);
      if (stop.isPresent()) {
        if (attempt.stop(stop.get()) && attempt.finish()) {
          reportStopped(attempt, stop.get(), "stopped before any work");
        }
        return;
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
      if (!attempt.finish()) {
        // Cancelled between the commit and here; whoever cancelled has reported it.
        return;
      }
      report(attempt, extraction);
    } catch (RuntimeException e) {
      FencedWriteException fenced = fencedIn(e);
      if (fenced == null) {
        failed(attempt, e);
      } else if (attempt.finish()) {
        // Superseded: the run belongs to a newer attempt, which reports it. This one still says it
        // ended (retryable): if the ledger heard of the newer attempt first, it fences this
        // RunFailed; if it heard of this one last, it retries at once instead of timing a silent
        // attempt out, and the retry finds the newer attempt's commit and completes the run.
        metrics.writeFenced();
        metrics.attemptEnded("fenced");
        LOG.warnf(
            "%s: write refused, a newer attempt holds the run's lease; nothing written (%s)",
            attempt.describe(), fenced.getMessage());
        reportFenced(attempt, fenced);
      }
    } finally {
      attempt.heartbeats.cancel(false);
      attempt.deadline.cancel(false);
      running.remove(attempt.attemptId());
      metrics.attemptReleased();
      slots.release();
      ChunkAttempt.leaveLogContext();
      // A cancellation may have interrupted this pool thread; the next attempt starts clean.
      Thread.interrupted();
    }
  }

  private static FencedWriteException fencedIn(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof FencedWriteException fenced) {
        return fenced;
      }
    }
    return null;
  }

  private void failed(ChunkAttempt attempt, RuntimeException e) {
    if (attempt.isCancelled()) {
      // The canceller logged and reported it; this is only the work unwinding.
      LOG.debugf("work of %s stopped: %s", attempt.describe(), e.toString());
      return;
    }
    if (attempt.finish()) {
      metrics.attemptEnded("failed");
      metrics.chunkFailed();
      // The trace is logged and reported redacted: a provider's text may be in a message.
      ErrorInfo error = redacted(ErrorInfo.of(e));
      LOG.errorf(
          "%s failed after phase %s; reporting it retryable: %s",
          attempt.describe(), attempt.progress().phase(), error.stackTrace());
      fail(attempt, error);
    }
  }

  private void report(ChunkAttempt attempt, Extraction extraction) {
    Chunk chunk = attempt.chunk();
    try {
      publisher.publish(
          Topics.EXTRACTION_RESULTS,
          chunk.jobId().value(),
          new ChunkExtracted(
              UUID.randomUUID(),
              1,
              Instant.now(),
              chunk.tenantId(),
              chunk.jobId(),
              chunk.runId(),
              chunk.seq(),
              attempt.attemptId(),
              extraction.messages(),
              extraction.entities(),
              extraction.relationships(),
              extraction.embeddings(),
              extraction.llm()));
      publisher.publish(
          Topics.RUN_EVENTS,
          chunk.runId().value(),
          RunCompleted.of(
              chunk.tenantId(),
              chunk.runId(),
              attempt.attemptId(),
              identity.workerId(),
              null,
              extraction.messages()));
    } catch (RuntimeException e) {
      // Committed but not reported: the ledger times the attempt out and its retry finds the run
      // in completed_runs and completes it without extracting again.
      metrics.publishFailed("RunCompleted");
      LOG.errorf(e, "%s was committed but its completion was not acknowledged", attempt.describe());
      return;
    }
    metrics.attemptEnded("completed");
    metrics.chunkExtracted(
        extraction.messages(),
        extraction.entities(),
        extraction.relationships(),
        extraction.embeddings());
    LOG.debugf(
        "%s completed: %d messages, %d entities, %d relationships, llm %s",
        attempt.describe(),
        extraction.messages(),
        extraction.entities(),
        extraction.relationships(),
        extraction.llm().status());
  }

  private static ErrorInfo redacted(ErrorInfo error) {
    return new ErrorInfo(
        error.type(),
        SecretRedaction.redact(error.message()),
        SecretRedaction.redactLines(error.stackTrace()));
  }

  private void fail(ChunkAttempt attempt, ErrorInfo error) {
    Chunk chunk = attempt.chunk();
    try {
      publisher.publish(
          Topics.RUN_EVENTS,
          chunk.runId().value(),
          RunFailed.of(
              chunk.tenantId(),
              chunk.runId(),
              attempt.attemptId(),
              identity.workerId(),
              true,
              error));
    } catch (RuntimeException e) {
      // The ledger will time the attempt out instead; the failure itself is logged already.
      metrics.publishFailed("RunFailed");
      LOG.warnf(e, "RunFailed of %s not acknowledged", attempt.describe());
    }
  }

  private void heartbeat(ChunkAttempt attempt) {
    if (attempt.isFinished()) {
      return;
    }
    attempt.enterLogContext();
    try {
      long silentNanos = attempt.nanosSinceLastAcknowledgedHeartbeat();
      if (silentNanos > config.staleAfter().toNanos()) {
        selfFence(attempt, silentNanos);
        return;
      }
      Chunk chunk = attempt.chunk();
      publisher
          .send(
              Topics.RUN_EVENTS,
              chunk.runId().value(),
              RunHeartbeat.of(
                  chunk.tenantId(),
                  chunk.runId(),
                  attempt.attemptId(),
                  identity.workerId(),
                  identity.buildSha(),
                  attempt.progress()))
          .whenComplete(
              (ok, failure) -> {
                if (failure == null) {
                  attempt.heartbeatAcknowledged();
                } else {
                  metrics.heartbeatFailed();
                  // Runs on the producer's thread, without the MDC: the ids are in the message.
                  LOG.warnf("heartbeat of %s failed: %s", attempt.describe(), failure.toString());
                }
              });
    } finally {
      ChunkAttempt.leaveLogContext();
    }
  }

  private void selfFence(ChunkAttempt attempt, long silentNanos) {
    if (!attempt.cancel("self-fenced: no heartbeat delivered") || !attempt.finish()) {
      return;
    }
    metrics.attemptEnded("self_fenced");
    metrics.chunkFailed();
    LOG.errorf(
        "%s cancelled itself: no heartbeat acknowledged for %d ms (stale threshold %d ms)",
        attempt.describe(),
        TimeUnit.NANOSECONDS.toMillis(silentNanos),
        config.staleAfter().toMillis());
    // Best effort: Kafka is probably unreachable; the ledger times the attempt out either way.
    Chunk chunk = attempt.chunk();
    publisher.send(
        Topics.RUN_EVENTS,
        chunk.runId().value(),
        RunFailed.of(
            chunk.tenantId(),
            chunk.runId(),
            attempt.attemptId(),
            identity.workerId(),
            true,
            ErrorInfo.coded("SelfFenced", "no heartbeat delivered within the stale threshold")));
  }

  private void expire(ChunkAttempt attempt) {
    if (!attempt.cancel("deadline of " + config.chunkDeadline() + " passed")) {
      return;
    }
    if (!attempt.finish()) {
      return;
    }
    attempt.enterLogContext();
    try {
      metrics.attemptEnded("deadline");
      metrics.chunkFailed();
      DeadlineExceededException failure = new DeadlineExceededException(config.chunkDeadline());
      LOG.errorf(
          "%s passed its deadline of %s in phase %s; its work is cancelled",
          attempt.describe(), config.chunkDeadline(), attempt.progress().phase());
      fail(attempt, redacted(ErrorInfo.of(failure)));
    } finally {
      ChunkAttempt.leaveLogContext();
    }
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
