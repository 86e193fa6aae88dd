package io.backfill.monitor.domain;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.Lane;
import io.backfill.monitor.persistence.AttemptStore;
import io.backfill.monitor.persistence.AttemptStore.Beat;
import io.backfill.monitor.persistence.ConsumedEventStore;
import io.backfill.monitor.persistence.RetryStore;
import io.backfill.monitor.persistence.RunStore;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Applies what executors report to the ledger, a batch of {@code run.events} records per
 * transaction. At most one attempt of a run is running: a newer RunStarted supersedes the running
 * one, and anything later from an attempt that is no longer running is fenced (ignored and
 * counted). A redelivered event (same eventId) changes nothing.
 *
 * <p>Heartbeats, nearly all of the traffic, cost ONE statement per batch: the batch's heartbeats
 * are coalesced per attempt (the latest wins) and written together. Order per run holds because the
 * pending heartbeats are written before any other event of the batch is applied, and the other
 * events (start, completion, failure, stop) are applied one by one in the order read.
 */
@ApplicationScoped
public class RunLedger {

  private static final Logger LOG = Logger.getLogger(RunLedger.class);

  /** What applying one batch did. Poison records are the caller's to dead-letter. */
  public record BatchOutcome(int applied, int duplicates, int fenced, List<IngestRecord> poison) {}

  private final ConsumedEventStore consumed;
  private final RunStore runs;
  private final AttemptStore attempts;
  private final RetryStore retryRows;
  private final RetryPlanner retries;
  private final JobRollUp rollUp;
  private final MeterRegistry metrics;
  private final DistributionSummary batchSizes;

  RunLedger(
      ConsumedEventStore consumed,
      RunStore runs,
      AttemptStore attempts,
      RetryStore retryRows,
      RetryPlanner retries,
      JobRollUp rollUp,
      MeterRegistry metrics) {
    this.consumed = consumed;
    this.runs = runs;
    this.attempts = attempts;
    this.retryRows = retryRows;
    this.retries = retries;
    this.rollUp = rollUp;
    this.metrics = metrics;
    this.batchSizes =
        DistributionSummary.builder("backfill_ledger_ingest_batch_records")
            .description("run.events records applied per ingest transaction")
            .register(metrics);
  }

  /** Applies the batch in ONE transaction, in the order read. */
  @Transactional
  public BatchOutcome apply(List<IngestRecord> batch) {
    List<UUID> ids = new ArrayList<>(batch.size());
    for (IngestRecord record : batch) {
      if (!record.poison()) {
        ids.add(record.event().eventId());
      }
    }
    Set<UUID> fresh = consumed.markConsumed(ids);
    Map<UUID, Beat> beats = new LinkedHashMap<>();
    Map<UUID, Integer> beatsPerAttempt = new LinkedHashMap<>();
    List<IngestRecord> poison = new ArrayList<>();
    int applied = 0;
    int duplicates = 0;
    int fenced = 0;
    for (IngestRecord record : batch) {
      if (record.poison()) {
        poison.add(record);
        continue;
      }
      RunEvent event = record.event();
      // remove(): a second copy of the same event within the batch is a duplicate too.
      if (!fresh.remove(event.eventId())) {
        duplicates++;
        continue;
      }
      if (event instanceof RunHeartbeat heartbeat) {
        UUID attempt = heartbeat.attemptId().value();
        beats.put(attempt, new Beat(attempt, heartbeat.progress()));
        beatsPerAttempt.merge(attempt, 1, Integer::sum);
        continue;
      }
      int[] written = writeHeartbeats(beats, beatsPerAttempt);
      applied += written[0];
      fenced += written[1];
      if (applyOne(event)) {
        applied++;
      } else {
        fenced++;
        fencedOne(event);
      }
    }
    int[] written = writeHeartbeats(beats, beatsPerAttempt);
    applied += written[0];
    fenced += written[1];
    if (duplicates > 0) {
      metrics.counter("backfill_ledger_duplicate_events_total").increment(duplicates);
    }
    metrics.counter("backfill_ledger_applied_events_total").increment(applied);
    batchSizes.record(batch.size());
    return new BatchOutcome(applied, duplicates, fenced, poison);
  }

  /** Writes and clears the pending heartbeats; returns {applied, fenced} heartbeat events. */
  private int[] writeHeartbeats(Map<UUID, Beat> beats, Map<UUID, Integer> beatsPerAttempt) {
    if (beats.isEmpty()) {
      return new int[] {0, 0};
    }
    Set<UUID> running = attempts.recordHeartbeats(beats.values());
    int applied = 0;
    int fenced = 0;
    List<UUID> fencedAttempts = new ArrayList<>();
    for (Map.Entry<UUID, Integer> entry : beatsPerAttempt.entrySet()) {
      if (running.contains(entry.getKey())) {
        applied += entry.getValue();
      } else {
        fenced += entry.getValue();
        fencedAttempts.add(entry.getKey());
      }
    }
    beats.clear();
    beatsPerAttempt.clear();
    if (fenced > 0) {
      metrics
          .counter("backfill_ledger_fenced_events_total", "type", "RunHeartbeat")
          .increment(fenced);
      LOG.infof(
          "fenced %d heartbeats of %d attempts that are not running: %s",
          fenced,
          fencedAttempts.size(),
          fencedAttempts.size() <= 5 ? fencedAttempts : fencedAttempts.subList(0, 5) + " …");
    }
    return new int[] {applied, fenced};
  }

  private void fencedOne(RunEvent event) {
    metrics
        .counter("backfill_ledger_fenced_events_total", "type", event.getClass().getSimpleName())
        .increment();
    LOG.infof(
        "fenced %s of attempt %s of run %s (tenant %s): the attempt is not running",
        event.getClass().getSimpleName(), event.attemptId(), event.runId(), event.tenantId());
  }

  /** Applies one event other than a heartbeat; false when it was fenced. */
  private boolean applyOne(RunEvent event) {
    if (event instanceof RunStarted started) {
      return start(started);
    } else if (event instanceof RunCompleted completed) {
      return complete(completed);
    } else if (event instanceof RunFailed failed) {
      return fail(failed);
    } else if (event instanceof RunStopped stopped) {
      return stop(stopped);
    }
    throw new IllegalStateException("unhandled run event " + event.getClass().getName());
  }

  /** Ends the attempt and its run as completed; the job may be complete with it. */
  private boolean complete(RunCompleted completed) {
    // Lock the run first, as RunStarted does, so the two never wait on each other in reverse.
    if (runs.lock(completed.runId()).isEmpty()
        || !finishAttempt(completed.attemptId(), "completed", null, null)) {
      return false;
    }
    runs.recordCompletion(completed.runId(), completed.chunks(), completed.messages());
    if (completed.runId().lane() != Lane.FOLLOW) {
      // A follow round ends nothing: the job's history completed before it (decision 0037).
      rollUp.afterRunEnded(completed.jobId(), completed.tenantId());
    }
    return true;
  }

  /** Ends the attempt as failed and, in the same transaction, plans the run's retry or its end. */
  private boolean fail(RunFailed failed) {
    // Lock the run first, as RunStarted does, so the two never wait on each other in reverse.
    var run = runs.lock(failed.runId());
    if (run.isEmpty()
        || !finishAttempt(failed.attemptId(), "failed", failed.error(), failed.retryable())) {
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

  /**
   * The attempt ended because its job was paused or cancelled: the attempt is stopped, the run
   * parked (no retry, never judged stale, not an end for the job roll-up). A later RunStarted of
   * the run (resume) is a new attempt like any other. When the RunStopped arrives after the reaper
   * already timed the attempt out, the pause is what really happened: the pending retry is
   * cancelled and the run parked all the same.
   */
  private boolean stop(RunStopped stopped) {
    if (runs.lock(stopped.runId()).isEmpty()) {
      return false;
    }
    if (attempts.stop(stopped.attemptId(), stopped.reason(), stopped.detail())) {
      runs.parkWithStoppedAttempt(stopped.attemptId(), stopped.reason());
      metrics.counter("backfill_ledger_runs_stopped_total", "reason", stopped.reason()).increment();
      LOG.infof(
          "attempt %s of run %s (tenant %s, job %s) stopped: job %s (%s); the run is parked",
          stopped.attemptId(),
          stopped.runId(),
          stopped.tenantId(),
          stopped.jobId(),
          stopped.reason(),
          stopped.detail());
      return true;
    }
    // Parks a run that waits for its retry because the attempt that timed out (or failed) was in
    // fact stopped by a pause or cancel whose RunStopped arrived late: the retry is cancelled.
    if (retryRows.cancelPendingRetryOf(stopped.runId(), stopped.attemptId())) {
      runs.setState(stopped.runId(), stopped.reason());
      metrics.counter("backfill_ledger_runs_stopped_total", "reason", stopped.reason()).increment();
      LOG.infof(
          "attempt %s of run %s (tenant %s, job %s) stopped (job %s) after it was timed out or"
              + " failed; its pending retry is cancelled and the run parked",
          stopped.attemptId(),
          stopped.runId(),
          stopped.tenantId(),
          stopped.jobId(),
          stopped.reason());
      return true;
    }
    return false;
  }

  private boolean start(RunStarted started) {
    runs.upsertAndLock(started);
    if (attempts.attemptExists(started.attemptId())) {
      // The same attempt announced twice under different event ids: nothing new.
      return true;
    }
    attempts
        .supersedeRunningAttempt(started.runId())
        .ifPresent(
            previous ->
                LOG.infof(
                    "attempt %s of run %s supersedes running attempt %s (tenant %s)",
                    started.attemptId(), started.runId(), previous, started.tenantId()));
    if (retryRows.cancelPending(started.runId()) > 0) {
      metrics
          .counter("backfill_ledger_retries_deduped_total", "lane", started.lane().wireName())
          .increment();
      LOG.infof(
          "attempt %s of run %s (tenant %s) started before its pending retry was due; the retry"
              + " is cancelled",
          started.attemptId(), started.runId(), started.tenantId());
    }
    int number = runs.countNewAttempt(started);
    attempts.insertRunning(started, number);
    LOG.debugf("run %s attempt %d (%s) running", started.runId(), number, started.attemptId());
    return true;
  }

  /**
   * Ends a running attempt and its run with the given state; false when the attempt is not the
   * run's running attempt (fenced).
   */
  private boolean finishAttempt(
      AttemptId attemptId, String state, ErrorInfo error, Boolean retryable) {
    if (!attempts.finish(attemptId, state, error, retryable)) {
      return false;
    }
    runs.endWithAttempt(attemptId, state);
    return true;
  }
}
