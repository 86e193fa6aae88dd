package io.backfill.monitor.domain;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.RunExhausted;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.persistence.OutboxStore;
import io.backfill.monitor.persistence.RetryStore;
import io.backfill.monitor.persistence.RunRow;
import io.backfill.monitor.persistence.RunStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Decides what follows an attempt that ended without success (timed out or failed): a retry, no
 * retry because one is already coming (dedup), or the end of the run (exhausted). Runs inside the
 * caller's transaction, the same one that ended the attempt, so the decision and its outbox rows
 * commit with it.
 */
@ApplicationScoped
public class RetryPlanner {

  private static final Logger LOG = Logger.getLogger(RetryPlanner.class);

  /** Header of a chunk dead letter: why the chunk is there. */
  public static final String DLQ_REASON_HEADER = "dead-letter-reason";

  private final RunStore runs;
  private final RetryStore retries;
  private final OutboxStore outbox;
  private final MeterRegistry metrics;
  private final RetryPolicy policy;
  private final JobRollUp rollUp;

  RetryPlanner(
      RunStore runs,
      RetryStore retries,
      OutboxStore outbox,
      JobRollUp rollUp,
      MeterRegistry metrics,
      MonitorConfig config) {
    this.runs = runs;
    this.retries = retries;
    this.outbox = outbox;
    this.rollUp = rollUp;
    this.metrics = metrics;
    this.policy = new RetryPolicy(config.retry(), () -> ThreadLocalRandom.current().nextDouble());
  }

  /** What the planner decided. */
  public enum Decision {
    RETRY_SCHEDULED,
    DEDUPED,
    EXHAUSTED
  }

  /**
   * Plans the follow-up of {@code attemptId}, which has just ended unsuccessfully. The run's row
   * must be locked by the caller.
   */
  public Decision afterUnsuccessfulAttempt(
      RunRow run, UUID attemptId, String reason, boolean retryable, ErrorInfo lastError) {
    if (!retryable) {
      exhaust(run, lastError, "non-retryable failure: " + reason);
      return Decision.EXHAUSTED;
    }
    // Attempts stopped by a pause or cancel were not failures: they do not use up the budget.
    int unsuccessful = run.attempts() - runs.stoppedAttempts(run.runId());
    if (!policy.allowsAnotherAfter(unsuccessful)) {
      exhaust(run, lastError, unsuccessful + " unsuccessful attempts: " + reason);
      return Decision.EXHAUSTED;
    }
    // Dedup: a running attempt or a pending retry already answers this run (LESSONS 24).
    boolean alreadyAnswered = retries.isAnswered(run.runId());
    if (alreadyAnswered) {
      metrics.counter("backfill_ledger_retries_deduped_total", "lane", lane(run)).increment();
      LOG.infof(
          "no retry for attempt %s of run %s (tenant %s, job %s): another attempt is running or"
              + " a retry is pending",
          attemptId, run.runId(), run.tenantId(), run.jobId());
      return Decision.DEDUPED;
    }
    Duration delay = policy.delayAfter(unsuccessful);
    retries.schedule(run.runId(), run.attempts() + 1, attemptId, delay, reason);
    runs.setState(run.runId(), "retry_pending");
    metrics.counter("backfill_ledger_retries_scheduled_total", "lane", lane(run)).increment();
    LOG.infof(
        "retry %d of run %s (tenant %s, job %s) due in %d ms after attempt %s: %s",
        run.attempts() + 1,
        run.runId(),
        run.tenantId(),
        run.jobId(),
        delay.toMillis(),
        attemptId,
        reason);
    return Decision.RETRY_SCHEDULED;
  }

  private void exhaust(RunRow run, ErrorInfo lastError, String why) {
    runs.exhaust(run.runId(), lastError);
    RunExhausted exhausted =
        new RunExhausted(
            UUID.randomUUID(),
            1,
            Instant.now(),
            run.tenantId(),
            run.jobId(),
            run.runId(),
            run.lane(),
            Math.max(1, run.attempts()),
            lastError,
            run.chunk());
    outbox.append(Topics.RUN_CONTROL, run.runId().value(), exhausted);
    if (run.lane() == Lane.EXTRACT && run.chunk() != null) {
      // contracts has no chunk dead-letter record: operators get the RunExhausted itself, keyed
      // like the chunk (runId), with headers that name the chunk and the last error.
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put(DLQ_REASON_HEADER, "run exhausted after " + why);
      headers.put("chunk-topic", run.chunk().topic());
      headers.put("chunk-partition", String.valueOf(run.chunk().partition()));
      headers.put("chunk-offset", String.valueOf(run.chunk().offset()));
      if (lastError != null) {
        headers.put("last-error-type", lastError.type());
        if (lastError.message() != null) {
          headers.put("last-error-message", lastError.message());
        }
      }
      outbox.append(
          Topics.deadLetterOf(Topics.BACKFILL_CHUNKS), run.runId().value(), exhausted, headers);
    }
    metrics.counter("backfill_ledger_runs_exhausted_total", "lane", lane(run)).increment();
    if (run.lane() != Lane.FOLLOW) {
      // An exhausted follow round is announced (RunExhausted) but fails nothing: the job's
      // history stays completed and the next round starts from the stored delta links.
      rollUp.afterRunEnded(run.jobId(), run.tenantId());
    }
    LOG.warnf(
        "run %s (tenant %s, job %s, lane %s) exhausted after %s%s",
        run.runId(),
        run.tenantId(),
        run.jobId(),
        lane(run),
        why,
        run.chunk() == null ? "" : "; chunk " + run.chunk() + " goes to backfill.chunks.dlq");
  }

  private static String lane(RunRow run) {
    return run.lane().wireName();
  }
}
