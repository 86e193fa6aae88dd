package io.backfill.fetcher.domain;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.event.JobFetchProgress;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunStopped;
import io.backfill.fetcher.graph.GraphMessagePage;
import io.backfill.fetcher.graph.GraphMessagePager;
import io.backfill.fetcher.graph.GraphRequestRejected;
import io.backfill.fetcher.messaging.ChunkPublisher;
import io.backfill.fetcher.messaging.JobEventsPublisher;
import io.backfill.fetcher.messaging.RunEventsPublisher;
import io.backfill.fetcher.persistence.JobRow;
import io.backfill.fetcher.persistence.JobStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Runs one fetch attempt to its end (ARCHITECTURE §4, §5): RunStarted acknowledged before the first
 * Graph call; heartbeats on their own thread; then per page: fetch (retries inside), publish the
 * chunk and wait for the ack, move the checkpoint (fenced by the attempt id), JobFetchProgress. The
 * attempt ends with RunCompleted{chunks, messages}, RunFailed{retryable, error}, or
 * RunStopped{paused | cancelled} when a command ended it.
 *
 * <p>A crash after a chunk's ack but before its checkpoint re-fetches that one page on resume and
 * publishes it again with the same seq (the worker dedups on runId). Transactions are short and
 * never span a Graph call or a Kafka send.
 */
@ApplicationScoped
public class PagingLoop {

  private static final Logger LOG = Logger.getLogger(PagingLoop.class);

  private final JobStore store;
  private final GraphMessagePager pager;
  private final ChunkPublisher chunks;
  private final RunEventsPublisher runEvents;
  private final JobEventsPublisher jobEvents;
  private final HeartbeatEmitter heartbeats;
  private final FetchMetrics metrics;
  private final WorkerIdentity worker;
  private final TransientRetry retry;

  PagingLoop(
      JobStore store,
      GraphMessagePager pager,
      ChunkPublisher chunks,
      RunEventsPublisher runEvents,
      JobEventsPublisher jobEvents,
      HeartbeatEmitter heartbeats,
      FetchMetrics metrics,
      WorkerIdentity worker,
      TransientRetry retry) {
    this.retry = retry;
    this.store = store;
    this.pager = pager;
    this.chunks = chunks;
    this.runEvents = runEvents;
    this.jobEvents = jobEvents;
    this.heartbeats = heartbeats;
    this.metrics = metrics;
    this.worker = worker;
  }

  /** Runs the attempt on the calling thread until it ends; never throws. */
  public void run(FetchAttempt attempt) {
    MDC.put("tenantId", attempt.tenantId());
    MDC.put("jobId", attempt.jobId().value());
    MDC.put("runId", attempt.runId().value());
    MDC.put("attemptId", attempt.attemptId().toString());
    try {
      runEvents.publish(
          RunStarted.of(
              attempt.tenantId(),
              attempt.runId(),
              attempt.attemptId(),
              worker.workerId(),
              worker.buildSha(),
              heartbeats.interval().toMillis(),
              null));
    } catch (RuntimeException e) {
      // Without an acknowledged RunStarted no Graph call may be made (LESSONS 11).
      LOG.errorf(e, "RunStarted could not be published (%s): attempt not run", attempt.describe());
      ended(attempt, "retryable_failed");
      release(attempt, "failed", ErrorInfo.of(e));
      clearMdc();
      return;
    }
    try {
      if (!markRunning(attempt)) {
        return;
      }
      Runnable ending;
      try (HeartbeatEmitter.Handle beating = heartbeats.start(attempt)) {
        ending = pageToTheEnd(attempt);
      }
      // Heartbeats have stopped: nothing of this attempt follows its final event.
      ending.run();
    } finally {
      clearMdc();
    }
  }

  /**
   * The job becomes {@code running} now that RunStarted is acknowledged; false when the attempt
   * ended here instead: superseded, paused or cancelled while it was being claimed, or the database
   * would not record it (the claim then lapses and the job is claimed again).
   */
  private boolean markRunning(FetchAttempt attempt) {
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
      ended(attempt, "retryable_failed");
      release(attempt, "failed", error);
      send(attempt, runFailed(attempt, true, error));
      return false;
    }
    if (status.isEmpty()) {
      ended(attempt, StopReason.SUPERSEDED.tag());
      LOG.infof("attempt superseded before it ran (%s)", attempt.describe());
      return false;
    }
    String now = status.get();
    if (now.equals("paused") || now.equals("cancelled")) {
      // The command came while the job was being claimed; the command already announced it.
      ended(attempt, now);
      release(attempt, now, null);
      send(
          attempt,
          runStopped(
              attempt,
              now.equals("paused") ? RunStopped.PAUSED : RunStopped.CANCELLED,
              now + " before the first page of this attempt"));
      return false;
    }
    return true;
  }

  /** Pages until the last page or a stop; returns how the attempt ends. */
  private Runnable pageToTheEnd(FetchAttempt attempt) {
    try {
      page(attempt);
      return () -> complete(attempt);
    } catch (AttemptStopped stopped) {
      return () -> stop(attempt, stopped.reason());
    } catch (GraphRequestRejected rejected) {
      return () -> fail(attempt, rejected, graphError(rejected), false);
    } catch (RuntimeException e) {
      if (attempt.stopReason() == StopReason.SELF_FENCED) {
        // The broker that took no heartbeats took no chunk either: one cause, the attempt fenced.
        return () -> stop(attempt, StopReason.SELF_FENCED);
      }
      return () -> fail(attempt, e, ErrorInfo.of(e), true);
    }
  }

  private void page(FetchAttempt attempt) {
    JobRow job = attempt.job();
    attempt.phase("paging");
    String url =
        attempt.state().nextLink() != null
            ? attempt.state().nextLink()
            : pager.firstPageUrl(job.mailbox(), job.folder(), job.windowFrom(), job.windowTo());
    if (attempt.state().done()) {
      // The last page was published and checkpointed by an earlier attempt that died before it
      // could end: nothing is fetched or published again, the run just completes.
      LOG.infof(
          "the checkpoint already holds the last page (%d pages): nothing left to fetch (%s)",
          attempt.state().pages(), attempt.describe());
      return;
    }
    while (true) {
      attempt.checkNotStopped();
      GraphMessagePage page = pager.fetch(url, job.tenantId(), job.mailbox(), attempt);
      PagingState before = attempt.state();
      chunks.publish(
          Chunk.of(job.tenantId(), job.jobId(), before.nextSeq(), page.messages(), page.last()));
      PagingState after = before.after(page.messages().size(), page.nextLink());
      // The checkpoint sets absolute values fenced by the attempt id: safe to repeat.
      Optional<String> status =
          retry.call(
              "checkpoint",
              attempt.describe(),
              () ->
                  QuarkusTransaction.requiringNew()
                      .call(
                          () ->
                              store.checkpoint(
                                  job.jobId(),
                                  attempt.attemptId(),
                                  after.pages(),
                                  after.messages(),
                                  after.nextLink())));
      if (status.isEmpty()) {
        throw new AttemptStopped(StopReason.SUPERSEDED);
      }
      attempt.advance(after);
      metrics.published(page.messages().size());
      jobEvents.publish(
          new JobFetchProgress(
              UUID.randomUUID(),
              1,
              Instant.now(),
              job.tenantId(),
              job.jobId(),
              after.pages(),
              after.messages(),
              !page.last()));
      if (page.last()) {
        return;
      }
      // Commands reach this attempt through the job's status too, whichever instance took them.
      if (status.get().equals("paused")) {
        attempt.stop(StopReason.PAUSED);
      } else if (status.get().equals("cancelled")) {
        attempt.stop(StopReason.CANCELLED);
      }
      url = page.nextLink();
    }
  }

  private void complete(FetchAttempt attempt) {
    PagingState done = attempt.state();
    Optional<String> left = releaseAs(attempt, "fetched");
    if (left.isEmpty()) {
      // Not recorded: superseded (a newer attempt owns the run and will complete it), or the
      // database failed, and then the ledger times this attempt out and its retry completes from
      // the checkpoint without fetching. Either way no RunCompleted the job row does not show.
      ended(attempt, StopReason.SUPERSEDED.tag());
      LOG.warnf(
          "fetched every page but could not record it; no RunCompleted (%s)", attempt.describe());
      return;
    }
    ended(attempt, "completed");
    send(
        attempt,
        RunCompleted.of(
            attempt.tenantId(),
            attempt.runId(),
            attempt.attemptId(),
            worker.workerId(),
            done.pages(),
            done.messages()));
    LOG.infof(
        "fetched %d messages in %d chunks (%s)", done.messages(), done.pages(), attempt.describe());
    // A Pause or Cancel that came during the last page keeps the job paused or cancelled: it is
    // announced here, as the attempt it reached would have.
    if (left.filter("paused"::equals).isPresent()) {
      send(
          attempt, JobPaused.of(attempt.tenantId(), attempt.jobId(), "paused after the last page"));
    } else if (left.filter("cancelled"::equals).isPresent()) {
      send(
          attempt,
          JobCancelled.of(attempt.tenantId(), attempt.jobId(), "cancelled after the last page"));
    }
  }

  private void stop(FetchAttempt attempt, StopReason reason) {
    ended(attempt, reason.tag());
    PagingState at = attempt.state();
    String where = "at page " + at.pages() + " (" + at.messages() + " messages)";
    LOG.infof("attempt stopped (%s) %s (%s)", reason.tag(), where, attempt.describe());
    switch (reason) {
      case PAUSED -> {
        release(attempt, "paused", null);
        // The attempt ends parked, not failed: a paused job never looks stale or failed to the
        // ledger, and Resume starts a new attempt.
        send(attempt, runStopped(attempt, RunStopped.PAUSED, "paused " + where));
        send(attempt, JobPaused.of(attempt.tenantId(), attempt.jobId(), "paused " + where));
      }
      case CANCELLED -> {
        release(attempt, "cancelled", null);
        send(attempt, runStopped(attempt, RunStopped.CANCELLED, "cancelled " + where));
        send(attempt, JobCancelled.of(attempt.tenantId(), attempt.jobId(), "cancelled " + where));
      }
      case SHUTDOWN, SELF_FENCED -> {
        ErrorInfo error =
            ErrorInfo.coded(
                reason == StopReason.SHUTDOWN ? "Shutdown" : "SelfFenced",
                "attempt handed back " + where);
        release(attempt, "running", error);
        send(attempt, runFailed(attempt, true, error));
      }
      case TIMED_OUT, SUPERSEDED -> {
        // Fenced: the ledger already ended this attempt, or a newer one owns the run.
      }
    }
  }

  private void fail(FetchAttempt attempt, Exception e, ErrorInfo error, boolean retryable) {
    ended(attempt, retryable ? "retryable_failed" : "failed");
    LOG.errorf(
        retryable ? e : null,
        "attempt failed (%s, %s): %s",
        retryable ? "retryable" : "non-retryable",
        attempt.describe(),
        e.getMessage());
    if (!release(attempt, "failed", error)) {
      return;
    }
    send(attempt, runFailed(attempt, retryable, error));
    if (!retryable) {
      send(
          attempt,
          new JobFailed(
              UUID.randomUUID(), 1, Instant.now(), attempt.tenantId(), attempt.jobId(), error));
    }
  }

  /** Graph's code as the error type and its message, with our trace for where it happened. */
  private static ErrorInfo graphError(GraphRequestRejected rejected) {
    ErrorInfo trace = ErrorInfo.of(rejected);
    return new ErrorInfo(rejected.code(), rejected.getMessage(), trace.stackTrace());
  }

  private RunFailed runFailed(FetchAttempt attempt, boolean retryable, ErrorInfo error) {
    return RunFailed.of(
        attempt.tenantId(),
        attempt.runId(),
        attempt.attemptId(),
        worker.workerId(),
        retryable,
        error);
  }

  private RunStopped runStopped(FetchAttempt attempt, String reason, String detail) {
    return RunStopped.of(
        attempt.tenantId(),
        attempt.runId(),
        attempt.attemptId(),
        worker.workerId(),
        reason,
        detail);
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

  private void send(FetchAttempt attempt, RunEvent event) {
    try {
      runEvents.publish(event);
    } catch (RuntimeException e) {
      LOG.errorf(
          "%s could not be published (%s): %s",
          event.getClass().getSimpleName(), attempt.describe(), e.getMessage());
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

  private static void clearMdc() {
    MDC.remove("tenantId");
    MDC.remove("jobId");
    MDC.remove("runId");
    MDC.remove("attemptId");
  }
}
