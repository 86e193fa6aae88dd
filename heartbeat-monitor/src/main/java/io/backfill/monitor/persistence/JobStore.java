package io.backfill.monitor.persistence;

import io.backfill.contracts.id.JobId;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What the monitor knows of jobs: {@code job_lifecycle} (every job heard of on job.events, with its
 * state and the times the orphan check measures from) and {@code jobs} (a job's end, decided once).
 * Callers own the transaction.
 */
@ApplicationScoped
public class JobStore {

  private final Jdbc jdbc;

  JobStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** A job the orphan check picked. */
  public record OrphanedJob(JobId job, String tenantId) {}

  /** The job's lifecycle state; empty when the job was never heard of. */
  public Optional<String> lifecycleState(JobId job) {
    return jdbc.first(
        "SELECT state FROM job_lifecycle WHERE job_id = ?",
        row -> row.getString(1),
        UUID.fromString(job.value()));
  }

  /** The tenant the job was first heard of with; empty when it was never heard of. */
  public Optional<String> tenantOf(JobId job) {
    return jdbc.first(
        "SELECT tenant_id FROM job_lifecycle WHERE job_id = ?",
        row -> row.getString(1),
        UUID.fromString(job.value()));
  }

  /** Learns an accepted job as active, unless it is known already. */
  public void learnAccepted(JobId job, String tenantId) {
    jdbc.update(
        """
        INSERT INTO job_lifecycle (job_id, tenant_id, state, accepted_at, changed_at)
        VALUES (?, ?, 'active', now(), now())
        ON CONFLICT (job_id) DO NOTHING
        """,
        UUID.fromString(job.value()),
        tenantId);
  }

  /**
   * Moves the job to {@code state} when it is in one of {@code from} and of the same tenant, or
   * learns it in that state when it was never heard of; {@code resumed} stamps the resume time.
   * False when nothing changed.
   */
  public boolean transition(
      JobId job, String tenantId, String state, List<String> from, boolean resumed) {
    return jdbc.update(
            """
            INSERT INTO job_lifecycle (job_id, tenant_id, state, accepted_at, changed_at,
                                       resumed_at)
            VALUES (?, ?, ?, now(), now(), CASE WHEN ? THEN now() END)
            ON CONFLICT (job_id) DO UPDATE
            SET state = excluded.state, changed_at = now(),
                resumed_at = coalesce(excluded.resumed_at, job_lifecycle.resumed_at)
            WHERE job_lifecycle.tenant_id = excluded.tenant_id
              AND job_lifecycle.state = ANY (?)
            """,
            UUID.fromString(job.value()),
            tenantId,
            state,
            resumed,
            from.toArray(new String[0]))
        > 0;
  }

  /**
   * Active jobs not decided by the roll-up with no running attempt, no pending retry, and nothing
   * for {@code graceMs} since the later of accepted, last resume, last re-drive, last attempt start
   * or end and last retry published; their rows locked (skipping those another replica holds),
   * oldest first.
   */
  public List<OrphanedJob> lockOrphanedJobs(long graceMs, int batch) {
    return jdbc.list(
        """
        SELECT j.job_id, j.tenant_id
        FROM job_lifecycle j
        WHERE j.state = 'active'
          AND GREATEST(j.accepted_at, j.resumed_at, j.redriven_at)
              < now() - ? * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM jobs d WHERE d.job_id = j.job_id)
          AND NOT EXISTS (
            SELECT 1 FROM runs r JOIN attempts a ON a.run_id = r.run_id
            WHERE r.job_id = j.job_id
              AND (a.state = 'running'
                OR coalesce(a.ended_at, a.started_at)
                   >= now() - ? * interval '1 millisecond'))
          AND NOT EXISTS (
            SELECT 1 FROM runs r JOIN retries t ON t.run_id = r.run_id
            WHERE r.job_id = j.job_id
              AND (t.state = 'pending'
                OR (t.state = 'published'
                    AND t.due_at >= now() - ? * interval '1 millisecond')))
        ORDER BY j.accepted_at
        LIMIT ?
        FOR UPDATE OF j SKIP LOCKED
        """,
        row ->
            new OrphanedJob(
                new JobId(row.getObject("job_id", UUID.class).toString()),
                row.getString("tenant_id")),
        graceMs,
        graceMs,
        graceMs,
        batch);
  }

  /** Stamps the job as re-driven now, so the orphan check waits another grace. */
  public void stampRedriven(JobId job) {
    jdbc.update(
        "UPDATE job_lifecycle SET redriven_at = now() WHERE job_id = ?",
        UUID.fromString(job.value()));
  }

  /** Records the job's end once; false when it was decided already (the first decision stands). */
  public boolean decideEnd(
      JobId job, String tenantId, String state, Integer chunks, Integer failed, Long messages) {
    return jdbc.update(
            """
            INSERT INTO jobs (job_id, tenant_id, state, chunks, failed_chunks, messages)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_id) DO NOTHING
            """,
            UUID.fromString(job.value()),
            tenantId,
            state,
            chunks,
            failed,
            messages)
        > 0;
  }
}
