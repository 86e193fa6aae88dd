package io.backfill.monitor.domain;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.JobCompleted;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.JobFailed;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.topic.Topics;
import io.backfill.monitor.persistence.OutboxStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
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

  private final EntityManager em;
  private final OutboxStore outbox;
  private final MeterRegistry metrics;

  JobRollUp(EntityManager em, OutboxStore outbox, MeterRegistry metrics) {
    this.em = em;
    this.outbox = outbox;
    this.metrics = metrics;
  }

  /** Called after a run of {@code job} completed or was exhausted, in that transaction. */
  public void afterRunEnded(JobId job, String tenantId) {
    // A paused or cancelled job is not ended by the ledger: a cancelled one's end is the
    // fetcher's JobCancelled, a paused one is rolled up again when it is resumed.
    @SuppressWarnings("unchecked")
    List<String> lifecycle =
        em.createNativeQuery("SELECT state FROM job_lifecycle WHERE job_id = :job")
            .setParameter("job", UUID.fromString(job.value()))
            .getResultList();
    if (!lifecycle.isEmpty()
        && ("paused".equals(lifecycle.get(0)) || "cancelled".equals(lifecycle.get(0)))) {
      LOG.debugf("job %s (tenant %s) is %s: not rolled up", job, tenantId, lifecycle.get(0));
      return;
    }
    // Every roll-up of a job locks its fetch run first, so they run one after another and each
    // one's count (a new statement, a new snapshot) sees the ends the others committed.
    @SuppressWarnings("unchecked")
    List<Object[]> fetch =
        em.createNativeQuery(
                """
                SELECT state, chunks, last_error_type, last_error_message
                FROM runs WHERE run_id = :fetch FOR UPDATE
                """)
            .setParameter("fetch", RunId.fetch(job).value())
            .getResultList();
    if (fetch.isEmpty()) {
      return;
    }
    String state = (String) fetch.get(0)[0];
    if ("exhausted".equals(state)) {
      String type = (String) fetch.get(0)[2];
      String message = (String) fetch.get(0)[3];
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
    Number chunks = (Number) fetch.get(0)[1];
    if (!"completed".equals(state) || chunks == null) {
      return;
    }
    Object[] ends =
        (Object[])
            em.createNativeQuery(
                    """
                    SELECT count(*) FILTER (WHERE state = 'completed'),
                           count(*) FILTER (WHERE state = 'exhausted'),
                           coalesce(sum(messages) FILTER (WHERE state = 'completed'), 0)
                    FROM runs WHERE job_id = :job AND lane = 'extract'
                      AND split_part(run_id, ':', 3)::int <= :chunks
                    """)
                .setParameter("job", UUID.fromString(job.value()))
                // A followed job's round chunks continue its seqs after the history's: only the
                // history's chunks complete the job.
                .setParameter("chunks", chunks.intValue())
                .getSingleResult();
    int completed = ((Number) ends[0]).intValue();
    int exhausted = ((Number) ends[1]).intValue();
    long messages = ((Number) ends[2]).longValue();
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
    int inserted =
        em.createNativeQuery(
                """
                INSERT INTO jobs (job_id, tenant_id, state, chunks, failed_chunks, messages)
                VALUES (:job, :tenant, :state, :chunks, :failed, :messages)
                ON CONFLICT (job_id) DO NOTHING
                """)
            .setParameter("job", UUID.fromString(job.value()))
            .setParameter("tenant", event.tenantId())
            .setParameter("state", state)
            .setParameter("chunks", chunks)
            .setParameter("failed", failed)
            .setParameter("messages", messages)
            .executeUpdate();
    if (inserted == 0) {
      return;
    }
    outbox.append(Topics.JOB_EVENTS, job.value(), event);
    metrics.counter("backfill_ledger_jobs_ended_total", "state", state).increment();
    LOG.infof(
        "job %s (tenant %s) %s: %s chunks, %s failed, %s messages",
        job, event.tenantId(), state, chunks, failed, messages);
  }
}
