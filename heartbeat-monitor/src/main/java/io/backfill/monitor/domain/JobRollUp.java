package io.backfill.monitor.domain;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.persistence.JobStore;
import io.backfill.monitor.persistence.OutboxStore;
import io.backfill.monitor.persistence.RunStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Decides a job's end from its runs, inside the transaction that just ended one of them: the fetch
 * run completed with N chunks and N extract runs are terminal → JobCompleted (with the exhausted
 * chunks counted as failed); the fetch run exhausted → JobFailed. The decision is made once: {@code
 * jobs} has the job as primary key.
 */
@ApplicationScoped
public class JobRollUp {

  private static final Logger LOG = Logger.getLogger(JobRollUp.class);

  private final JobStore jobs;
  private final RunStore runs;
  private final OutboxStore outbox;
  private final MeterRegistry metrics;

  JobRollUp(JobStore jobs, RunStore runs, OutboxStore outbox, MeterRegistry metrics) {
    this.jobs = jobs;
    this.runs = runs;
    this.outbox = outbox;
    this.metrics = metrics;
  }

  /** Called after a run of {@code job} completed or was exhausted, in that transaction. */
  public void afterRunEnded(JobId job, String tenantId) {
    // A paused or cancelled job is not ended by the ledger: a cancelled one's end is the
    // fetcher's JobCancelled, a paused one is rolled up again when it is resumed.
    Optional<String> lifecycle = jobs.lifecycleState(job);
    if (lifecycle.isPresent()
        && ("paused".equals(lifecycle.get()) || "cancelled".equals(lifecycle.get()))) {
      LOG.debugf("job %s (tenant %s) is %s: not rolled up", job, tenantId, lifecycle.get());
      return;
    }
    // Every roll-up of a job locks its fetch run first, so they run one after another and each
    // one's count (a new statement, a new snapshot) sees the ends the others committed.
    Optional<RunStore.FetchRunEnd> fetch = runs.lockFetchRunEnd(job);
    if (fetch.isEmpty()) {
      return;
    }
    String state = fetch.get().state();
    if ("exhausted".equals(state)) {
      String type = fetch.get().errorType();
      String message = fetch.get().errorMessage();
      ErrorInfo error =
          type == null
              ? ErrorInfo.coded("FetchRunExhausted", "the fetch run ran out of attempts")
              : ErrorInfo.coded(type, message);
      decide(
          job,
          "failed",
          null,
          null,
          null,
          new JobFailed(UUID.randomUUID(), 1, Instant.now(), tenantId, job, error));
      return;
    }
    Integer chunks = fetch.get().chunks();
    if (!"completed".equals(state) || chunks == null) {
      return;
    }
    RunStore.ExtractEnds ends = runs.extractEnds(job, chunks);
    int completed = ends.completed();
    int exhausted = ends.exhausted();
    long messages = ends.messages();
    if (completed + exhausted < chunks.intValue()) {
      return;
    }
    int total = Math.max(chunks.intValue(), completed + exhausted);
    decide(
        job,
        "completed",
        total,
        exhausted,
        messages,
        new JobCompleted(
            UUID.randomUUID(), 1, Instant.now(), tenantId, job, total, messages, exhausted));
  }

  private void decide(
      JobId job, String state, Integer chunks, Integer failed, Long messages, JobEvent event) {
    if (!jobs.decideEnd(job, event.tenantId(), state, chunks, failed, messages)) {
      return;
    }
    outbox.append(Topics.JOB_EVENTS, job.value(), event);
    metrics.counter("backfill_ledger_jobs_ended_total", "state", state).increment();
    LOG.infof(
        "job %s (tenant %s) %s: %s chunks, %s failed, %s messages",
        job, event.tenantId(), state, chunks, failed, messages);
  }
}
