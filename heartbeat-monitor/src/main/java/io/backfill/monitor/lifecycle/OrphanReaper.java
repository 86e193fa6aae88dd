package io.backfill.monitor.lifecycle;

import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.persistence.JobStore;
import io.backfill.monitor.persistence.RunRow;
import io.backfill.monitor.persistence.RunStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Finds jobs nothing is working on and re-drives them (RetryDue reason {@code orphaned}), from the
 * reaper's schedule, in batches of one transaction each.
 *
 * <p>A job is orphaned when it is active (not terminal, paused nor cancelled), the roll-up has not
 * decided it, no attempt of any of its runs is running, no retry of its runs is pending, and for
 * longer than {@code orphan-grace} nothing happened to it: measured from the later of its
 * acceptance, its last resume, its last re-drive, the last start or end of any of its attempts and
 * the last retry published for it. It is then re-driven: its fetch run when that run has not
 * completed (attempt 1 with no earlier attempt when it never started), else each of its extract
 * runs that had an attempt and ended without completing (parked, or retried and never started
 * again). A chunk still queued behind the workers' consumer lag has no run in the ledger yet and is
 * not an orphan by this rule: it is owned by the worker that will read it. The job is stamped as
 * re-driven even when no run qualified, so it is looked at again only after another grace.
 */
@ApplicationScoped
public class OrphanReaper {

  private static final Logger LOG = Logger.getLogger(OrphanReaper.class);

  private final JobStore jobs;
  private final RunStore runs;
  private final Redrives redrives;
  private final MonitorConfig config;
  private final JobEventsCatchUp catchUp;
  private volatile boolean waitingLogged;

  OrphanReaper(
      JobStore jobs,
      RunStore runs,
      Redrives redrives,
      MonitorConfig config,
      JobEventsCatchUp catchUp) {
    this.jobs = jobs;
    this.runs = runs;
    this.redrives = redrives;
    this.config = config;
    this.catchUp = catchUp;
  }

  /** One batch of orphaned jobs in the caller's (new) transaction; returns the jobs looked at. */
  public int redriveOrphans() {
    String behind = catchUp.behind();
    if (behind != null) {
      // A job paused or cancelled while this monitor was down still looks active here.
      if (!waitingLogged) {
        waitingLogged = true;
        LOG.infof("orphan check waits: %s", behind);
      }
      return 0;
    }
    waitingLogged = false;
    long graceMs = config.orphanGraceOrDefault().toMillis();
    List<JobStore.OrphanedJob> orphans =
        jobs.lockOrphanedJobs(graceMs, config.reaper().batchSize());
    for (JobStore.OrphanedJob orphan : orphans) {
      jobs.stampRedriven(orphan.job());
      redriveJob(orphan.job(), orphan.tenantId(), graceMs);
    }
    return orphans.size();
  }

  private void redriveJob(JobId job, String tenant, long graceMs) {
    RunId fetchRun = RunId.fetch(job);
    Optional<RunStore.RunAndAttempt> fetch = runs.lockWithCurrentAttempt(fetchRun);
    if (fetch.isEmpty()) {
      LOG.warnf(
          "job %s (tenant %s) orphaned: accepted more than %d ms ago and its fetch never started;"
              + " re-driving its fetch run",
          job, tenant, graceMs);
      redrives.redriveUnstartedFetch(tenant, job, RetryDue.ORPHANED);
      return;
    }
    RunRow fetchRow = fetch.get().run();
    if ("exhausted".equals(fetchRow.state())) {
      // The roll-up fails the job: nothing to re-drive.
      return;
    }
    if (!"completed".equals(fetchRow.state())) {
      LOG.warnf(
          "job %s (tenant %s) orphaned: its fetch run is %s with no live attempt for more than %d"
              + " ms; re-driving it",
          job, tenant, fetchRow.state(), graceMs);
      redrives.redrive(fetchRow, fetch.get().currentAttempt(), RetryDue.ORPHANED);
      return;
    }
    List<RunStore.RunAndAttempt> extracts = runs.lockUnfinishedExtractRuns(job);
    if (extracts.isEmpty()) {
      return;
    }
    LOG.warnf(
        "job %s (tenant %s) orphaned: fetch done, %d extract runs ended without completing and"
            + " nothing ran for more than %d ms; re-driving them",
        job, tenant, extracts.size(), graceMs);
    for (RunStore.RunAndAttempt extract : extracts) {
      redrives.redrive(extract.run(), extract.currentAttempt(), RetryDue.ORPHANED);
    }
  }
}
