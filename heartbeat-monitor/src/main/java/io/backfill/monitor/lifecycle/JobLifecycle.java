package io.backfill.monitor.lifecycle;

import io.backfill.contracts.event.JobAccepted;
import io.backfill.contracts.event.JobCancelled;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.event.JobPaused;
import io.backfill.contracts.event.JobRejected;
import io.backfill.contracts.event.JobResumed;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.id.JobId;
import io.backfill.monitor.domain.JobRollUp;
import io.backfill.monitor.persistence.ConsumedEventStore;
import io.backfill.monitor.persistence.JobStore;
import io.backfill.monitor.persistence.RunStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * What the monitor knows of each job's lifecycle, from {@code job.events}: learnt at JobAccepted,
 * then paused, cancelled, resumed or ended. A paused or cancelled job is never an orphan and never
 * rolled up; a resumed job gets each of its extract runs parked by the pause re-driven (RetryDue
 * reason {@code resumed}) through the outbox, in the transaction that records the resume. The fetch
 * run is not re-driven here: the fetcher resumes its own fetch on ResumeJob.
 *
 * <p>The monitor reads back its own JobCompleted / JobFailed here too: they only mark the job
 * terminal, which the roll-up already decided, so reading them is harmless.
 */
@ApplicationScoped
public class JobLifecycle {

  private static final Logger LOG = Logger.getLogger(JobLifecycle.class);

  private final ConsumedEventStore consumed;
  private final JobStore jobs;
  private final RunStore runs;
  private final Redrives redrives;
  private final JobRollUp rollUp;
  private final MeterRegistry metrics;

  JobLifecycle(
      ConsumedEventStore consumed,
      JobStore jobs,
      RunStore runs,
      Redrives redrives,
      JobRollUp rollUp,
      MeterRegistry metrics) {
    this.consumed = consumed;
    this.jobs = jobs;
    this.runs = runs;
    this.redrives = redrives;
    this.rollUp = rollUp;
    this.metrics = metrics;
  }

  /** What applying one job event did. */
  public enum Outcome {
    APPLIED,
    DUPLICATE,
    IGNORED,
    OTHER_TENANT
  }

  /** Whether the monitor tracks events of this type (the others are ignored). */
  public static boolean tracks(JobEvent event) {
    return event instanceof JobAccepted
        || event instanceof JobPaused
        || event instanceof JobCancelled
        || event instanceof JobResumed
        || event instanceof JobCompleted
        || event instanceof JobFailed
        || event instanceof JobRejected;
  }

  /** Applies one job event in ONE transaction; a redelivery (same eventId) changes nothing. */
  @Transactional
  public Outcome apply(JobEvent event) {
    if (!tracks(event)) {
      return Outcome.IGNORED;
    }
    if (consumed.markConsumed(List.of(event.eventId())).isEmpty()) {
      return Outcome.DUPLICATE;
    }
    JobId job = event.jobId();
    if (event instanceof JobAccepted) {
      jobs.learnAccepted(job, event.tenantId());
      return sameTenant(event) ? Outcome.APPLIED : otherTenant(event);
    }
    String state;
    List<String> from;
    if (event instanceof JobPaused) {
      state = "paused";
      from = List.of("active", "paused");
    } else if (event instanceof JobCancelled) {
      state = "cancelled";
      from = List.of("active", "paused", "cancelled");
    } else if (event instanceof JobResumed) {
      state = "active";
      from = List.of("active", "paused", "cancelled");
    } else {
      state = "terminal";
      from = List.of("active", "paused", "cancelled", "terminal");
    }
    // A job first heard of after its JobAccepted (older than this monitor, or its JobAccepted is
    // further back in another partition's backlog) is learnt from this event.
    boolean changed =
        jobs.transition(job, event.tenantId(), state, from, event instanceof JobResumed);
    if (!changed) {
      if (!sameTenant(event)) {
        return otherTenant(event);
      }
      if (event instanceof JobResumed && "terminal".equals(stateOf(job))) {
        // A completed job that follows its mailbox was resumed: its following's chunks parked by
        // the pause are re-driven; the job itself stays terminal (decision 0037).
        resumeParkedRuns(event.jobId(), event.tenantId());
        return Outcome.APPLIED;
      }
      LOG.infof(
          "%s of job %s (tenant %s) ignored: the job is already %s",
          event.getClass().getSimpleName(), event.jobId(), event.tenantId(), stateOf(job));
      return Outcome.IGNORED;
    }
    LOG.infof("job %s (tenant %s) is %s", event.jobId(), event.tenantId(), state);
    if (event instanceof JobResumed) {
      resumeParkedRuns(event.jobId(), event.tenantId());
      // Chunks that completed while the job was paused were not rolled up: decide now.
      rollUp.afterRunEnded(event.jobId(), event.tenantId());
    }
    return Outcome.APPLIED;
  }

  /**
   * Re-drives each extract run of the job parked by its pause, once: the run leaves {@code paused}
   * in this transaction, so a second JobResumed finds nothing left to re-drive.
   */
  private void resumeParkedRuns(JobId job, String tenantId) {
    List<RunStore.RunAndAttempt> parked = runs.lockPausedExtractRuns(job, tenantId);
    for (RunStore.RunAndAttempt row : parked) {
      redrives.redrive(row.run(), row.currentAttempt(), RetryDue.RESUMED);
    }
    if (!parked.isEmpty()) {
      LOG.infof(
          "job %s (tenant %s) resumed: %d parked extract runs re-driven",
          job, tenantId, parked.size());
    }
  }

  private boolean sameTenant(JobEvent event) {
    return jobs.tenantOf(event.jobId()).map(event.tenantId()::equals).orElse(true);
  }

  private Outcome otherTenant(JobEvent event) {
    metrics
        .counter("backfill_monitor_job_events_ignored_total", "reason", "other-tenant")
        .increment();
    LOG.warnf(
        "%s %s of job %s ignored: tenant %s is not the job's tenant",
        event.getClass().getSimpleName(), event.eventId(), event.jobId(), event.tenantId());
    return Outcome.OTHER_TENANT;
  }

  private String stateOf(JobId job) {
    return jobs.lifecycleState(job).orElse("unknown");
  }
}
