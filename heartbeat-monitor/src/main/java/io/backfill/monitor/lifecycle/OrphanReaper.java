package io.backfill.monitor.lifecycle;

import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.monitor.config.MonitorConfig;
import io.backfill.monitor.persistence.LedgerStore;
import io.backfill.monitor.persistence.RunRow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.UUID;
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

  private final EntityManager em;
  private final Redrives redrives;
  private final MonitorConfig config;
  private final JobEventsCatchUp catchUp;
  private volatile boolean waitingLogged;

  OrphanReaper(
      EntityManager em, Redrives redrives, MonitorConfig config, JobEventsCatchUp catchUp) {
    this.em = em;
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
    @SuppressWarnings("unchecked")
    List<Object[]> orphans =
        em.createNativeQuery(
                """
                SELECT j.job_id, j.tenant_id
                FROM job_lifecycle j
                WHERE j.state = 'active'
                  AND GREATEST(j.accepted_at, j.resumed_at, j.redriven_at)
                      < now() - :graceMs * interval '1 millisecond'
                  AND NOT EXISTS (SELECT 1 FROM jobs d WHERE d.job_id = j.job_id)
                  AND NOT EXISTS (
                    SELECT 1 FROM runs r JOIN attempts a ON a.run_id = r.run_id
                    WHERE r.job_id = j.job_id
                      AND (a.state = 'running'
                        OR coalesce(a.ended_at, a.started_at)
                           >= now() - :graceMs * interval '1 millisecond'))
                  AND NOT EXISTS (
                    SELECT 1 FROM runs r JOIN retries t ON t.run_id = r.run_id
                    WHERE r.job_id = j.job_id
                      AND (t.state = 'pending'
                        OR (t.state = 'published'
                            AND t.due_at >= now() - :graceMs * interval '1 millisecond')))
                ORDER BY j.accepted_at
                LIMIT :batch
                FOR UPDATE OF j SKIP LOCKED
                """)
            .setParameter("graceMs", graceMs)
            .setParameter("batch", config.reaper().batchSize())
            .getResultList();
    for (Object[] row : orphans) {
      UUID jobUuid = (UUID) row[0];
      String tenant = (String) row[1];
      em.createNativeQuery("UPDATE job_lifecycle SET redriven_at = now() WHERE job_id = :job")
          .setParameter("job", jobUuid)
          .executeUpdate();
      redriveJob(new JobId(jobUuid.toString()), tenant, graceMs);
    }
    return orphans.size();
  }

  private void redriveJob(JobId job, String tenant, long graceMs) {
    RunId fetchRun = RunId.fetch(job);
    @SuppressWarnings("unchecked")
    List<Object[]> fetch =
        em.createNativeQuery(
                """
                SELECT run_id, lane, tenant_id, job_id, state, attempts,
                       chunk_topic, chunk_partition, chunk_offset, current_attempt_id
                FROM runs WHERE run_id = :run FOR UPDATE
                """)
            .setParameter("run", fetchRun.value())
            .getResultList();
    if (fetch.isEmpty()) {
      LOG.warnf(
          "job %s (tenant %s) orphaned: accepted more than %d ms ago and its fetch never started;"
              + " re-driving its fetch run",
          job, tenant, graceMs);
      redrives.redriveUnstartedFetch(tenant, job, RetryDue.ORPHANED);
      return;
    }
    RunRow fetchRow = LedgerStore.runRow(fetch.get(0));
    if ("exhausted".equals(fetchRow.state())) {
      // The roll-up fails the job: nothing to re-drive.
      return;
    }
    if (!"completed".equals(fetchRow.state())) {
      LOG.warnf(
          "job %s (tenant %s) orphaned: its fetch run is %s with no live attempt for more than %d"
              + " ms; re-driving it",
          job, tenant, fetchRow.state(), graceMs);
      redrives.redrive(fetchRow, (UUID) fetch.get(0)[9], RetryDue.ORPHANED);
      return;
    }
    @SuppressWarnings("unchecked")
    List<Object[]> extracts =
        em.createNativeQuery(
                """
                SELECT r.run_id, r.lane, r.tenant_id, r.job_id, r.state, r.attempts,
                       r.chunk_topic, r.chunk_partition, r.chunk_offset, r.current_attempt_id
                FROM runs r
                WHERE r.job_id = :job AND r.lane = 'extract'
                  AND r.state NOT IN ('completed', 'exhausted')
                  AND r.chunk_topic IS NOT NULL
                ORDER BY r.run_id
                FOR UPDATE OF r SKIP LOCKED
                """)
            .setParameter("job", UUID.fromString(job.value()))
            .getResultList();
    if (extracts.isEmpty()) {
      return;
    }
    LOG.warnf(
        "job %s (tenant %s) orphaned: fetch done, %d extract runs ended without completing and"
            + " nothing ran for more than %d ms; re-driving them",
        job, tenant, extracts.size(), graceMs);
    for (Object[] row : extracts) {
      redrives.redrive(LedgerStore.runRow(row), (UUID) row[9], RetryDue.ORPHANED);
    }
  }
}
