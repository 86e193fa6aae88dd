package io.backfill.monitor.domain;

import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.monitor.persistence.LedgerStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/**
 * Applies what executors report to the ledger. At most one attempt of a run is running: a newer
 * RunStarted supersedes the running one, and anything later from an attempt that is no longer
 * running is fenced (ignored and counted). A redelivered event (same eventId) changes nothing.
 */
@ApplicationScoped
public class RunLedger {

  private static final Logger LOG = Logger.getLogger(RunLedger.class);

  /** What applying one event did. */
  public enum Outcome {
    APPLIED,
    DUPLICATE,
    FENCED
  }

  private final LedgerStore store;
  private final RetryPlanner retries;
  private final JobRollUp rollUp;
  private final MeterRegistry metrics;

  RunLedger(LedgerStore store, RetryPlanner retries, JobRollUp rollUp, MeterRegistry metrics) {
    this.store = store;
    this.retries = retries;
    this.rollUp = rollUp;
    this.metrics = metrics;
  }

  @Transactional
  public Outcome apply(RunEvent event) {
    if (!store.markConsumed(event.eventId())) {
      metrics.counter("backfill_ledger_duplicate_events_total").increment();
      return Outcome.DUPLICATE;
    }
    boolean applied;
    if (event instanceof RunStarted started) {
      applied = start(started);
    } else if (event instanceof RunHeartbeat heartbeat) {
      applied = store.recordHeartbeat(heartbeat.attemptId(), heartbeat.progress());
    } else if (event instanceof RunCompleted completed) {
      applied = complete(completed);
    } else if (event instanceof RunFailed failed) {
      applied = fail(failed);
    } else {
      throw new IllegalStateException("unhandled run event " + event.getClass().getName());
    }
    if (!applied) {
      metrics
          .counter("backfill_ledger_fenced_events_total", "type", event.getClass().getSimpleName())
          .increment();
      LOG.infof(
          "fenced %s of attempt %s of run %s (tenant %s): the attempt is not running",
          event.getClass().getSimpleName(), event.attemptId(), event.runId(), event.tenantId());
      return Outcome.FENCED;
    }
    return Outcome.APPLIED;
  }

  /** Ends the attempt and its run as completed; the job may be complete with it. */
  private boolean complete(RunCompleted completed) {
    // Lock the run first, as RunStarted does, so the two never wait on each other in reverse.
    if (store.lockRun(completed.runId()).isEmpty()
        || !store.finishAttempt(completed.attemptId(), "completed", null, null)) {
      return false;
    }
    store.recordCompletion(completed.runId(), completed.chunks(), completed.messages());
    rollUp.afterRunEnded(completed.jobId(), completed.tenantId());
    return true;
  }

  /** Ends the attempt as failed and, in the same transaction, plans the run's retry or its end. */
  private boolean fail(RunFailed failed) {
    // Lock the run first, as RunStarted does, so the two never wait on each other in reverse.
    var run = store.lockRun(failed.runId());
    if (run.isEmpty()
        || !store.finishAttempt(failed.attemptId(), "failed", failed.error(), failed.retryable())) {
      return false;
    }
    retries.afterUnsuccessfulAttempt(
        run.get(),
        failed.attemptId().value(),
        "failed: " + failed.error().type(),
        failed.retryable(),
        failed.error());
    return true;
  }

  private boolean start(RunStarted started) {
    store.upsertAndLockRun(started);
    if (store.attemptExists(started.attemptId())) {
      // The same attempt announced twice under different event ids: nothing new.
      return true;
    }
    store
        .supersedeRunningAttempt(started.runId())
        .ifPresent(
            previous ->
                LOG.infof(
                    "attempt %s of run %s supersedes running attempt %s (tenant %s)",
                    started.attemptId(), started.runId(), previous, started.tenantId()));
    if (store.cancelPendingRetries(started.runId()) > 0) {
      metrics
          .counter("backfill_ledger_retries_deduped_total", "lane", started.lane().wireName())
          .increment();
      LOG.infof(
          "attempt %s of run %s (tenant %s) started before its pending retry was due; the retry"
              + " is cancelled",
          started.attemptId(), started.runId(), started.tenantId());
    }
    int number = store.startAttempt(started);
    LOG.debugf("run %s attempt %d (%s) running", started.runId(), number, started.attemptId());
    return true;
  }
}
