package io.backfill.monitor.lifecycle;

import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.persistence.OutboxStore;
import io.backfill.monitor.persistence.RedriveStore;
import io.backfill.monitor.persistence.RunRow;
import io.backfill.monitor.persistence.RunStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Re-drives a run outside the retry policy — an orphaned job's run, a resumed job's parked run — as
 * a RetryDue through the same outbox as every retry, recorded in {@code redrives} in the caller's
 * transaction. The run leaves its parked or waiting state ({@code retry_pending}) so the same
 * trigger does not re-drive it twice; the RunStarted of the new attempt makes it running.
 */
@ApplicationScoped
@Startup
public class Redrives {

  private static final Logger LOG = Logger.getLogger(Redrives.class);

  private final RunStore runs;
  private final RedriveStore redrives;
  private final OutboxStore outbox;
  private final MeterRegistry metrics;

  Redrives(RunStore runs, RedriveStore redrives, OutboxStore outbox, MeterRegistry metrics) {
    this.runs = runs;
    this.redrives = redrives;
    this.outbox = outbox;
    this.metrics = metrics;
    // Exported from the start (at 0), so dashboards and the orphan alert see the series before
    // the first re-drive.
    for (Lane lane : Lane.values()) {
      metrics.counter("backfill_monitor_orphans_redriven_total", "lane", lane.wireName());
      metrics.counter("backfill_monitor_runs_resumed_total", "lane", lane.wireName());
    }
  }

  /** Re-drives a run the ledger knows (its row locked by the caller) as attempt attempts + 1. */
  public void redrive(RunRow run, UUID lastAttempt, String reason) {
    int number = run.attempts() + 1;
    runs.setState(run.runId(), "retry_pending");
    publish(
        run.tenantId(),
        run.jobId(),
        run.runId(),
        lastAttempt,
        number,
        reason,
        run.lane() == Lane.EXTRACT ? run.chunk() : null);
  }

  /** Re-drives a job's fetch run that never had an attempt: attempt 1, no earlier attempt. */
  public void redriveUnstartedFetch(String tenantId, JobId job, String reason) {
    publish(tenantId, job, RunId.fetch(job), null, 1, reason, null);
  }

  private void publish(
      String tenantId,
      JobId job,
      RunId runId,
      UUID lastAttempt,
      int number,
      String reason,
      io.backfill.contracts.event.ChunkCoordinates chunk) {
    Lane lane = runId.lane();
    redrives.record(job, runId, number, lastAttempt, reason);
    outbox.append(
        Topics.RUN_CONTROL,
        runId.value(),
        new RetryDue(
            UUID.randomUUID(),
            1,
            Instant.now(),
            tenantId,
            job,
            runId,
            lane,
            lastAttempt == null ? null : new AttemptId(lastAttempt),
            number,
            reason,
            chunk));
    String metric =
        RetryDue.ORPHANED.equals(reason)
            ? "backfill_monitor_orphans_redriven_total"
            : "backfill_monitor_runs_resumed_total";
    metrics.counter(metric, "lane", lane.wireName()).increment();
    LOG.infof(
        "run %s (tenant %s, job %s, lane %s) re-driven as attempt %d (%s), after attempt %s",
        runId, tenantId, job, lane.wireName(), number, reason, lastAttempt);
  }
}
