package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The reads behind a job's status and the job list. Callers own the transaction. Every read names
 * the tenant as well as the job: rows an event of another tenant wrote under this job id are never
 * part of this tenant's answer.
 */
@ApplicationScoped
public class JobReadQueries {

  /** What the extracted chunks of a job add up to. */
  public record ChunkTotals(
      long chunks, long messages, long entities, long relationships, long embeddings, int maxSeq) {}

  private final EntityManager em;

  JobReadQueries(EntityManager em) {
    this.em = em;
  }

  public ChunkTotals chunkTotals(String tenantId, UUID jobId) {
    Object[] row =
        (Object[])
            em.createQuery(
                    "SELECT count(c), coalesce(sum(c.messages), 0), coalesce(sum(c.entities), 0),"
                        + " coalesce(sum(c.relationships), 0), coalesce(sum(c.embeddings), 0),"
                        + " coalesce(max(c.seq), 0) FROM ChunkResult c WHERE c.tenantId = :tenant AND c.jobId = :job")
                .setParameter("tenant", tenantId)
                .setParameter("job", jobId)
                .getSingleResult();
    return new ChunkTotals(
        number(row[0]),
        number(row[1]),
        number(row[2]),
        number(row[3]),
        number(row[4]),
        (int) number(row[5]));
  }

  /**
   * A followed job's rounds and what its chunks changed.
   *
   * @param lastRoundAt when the latest completed round started; null before the first round
   */
  public record FollowTotals(
      long rounds,
      Instant lastRoundAt,
      long resyncs,
      long created,
      long updated,
      long unchanged,
      long deleted) {}

  public FollowTotals followTotals(String tenantId, UUID jobId) {
    Object[] rounds =
        (Object[])
            em.createNativeQuery(
                    "SELECT count(*), coalesce(sum(resynced_folders), 0), (SELECT round_started_at"
                        + " FROM follow_rounds l WHERE l.tenant_id = :tenant AND l.job_id = :job"
                        + " ORDER BY round DESC LIMIT 1) FROM follow_rounds"
                        + " WHERE tenant_id = :tenant AND job_id = :job")
                .setParameter("tenant", tenantId)
                .setParameter("job", jobId)
                .getSingleResult();
    Object[] changes =
        (Object[])
            em.createNativeQuery(
                    "SELECT coalesce(sum(changes_created), 0), coalesce(sum(changes_updated), 0),"
                        + " coalesce(sum(changes_unchanged), 0), coalesce(sum(changes_deleted), 0)"
                        + " FROM chunk_results WHERE tenant_id = :tenant AND job_id = :job")
                .setParameter("tenant", tenantId)
                .setParameter("job", jobId)
                .getSingleResult();
    return new FollowTotals(
        number(rounds[0]),
        instant(rounds[2]),
        number(rounds[1]),
        number(changes[0]),
        number(changes[1]),
        number(changes[2]),
        number(changes[3]));
  }

  private static Instant instant(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Instant at) {
      return at;
    }
    if (value instanceof java.time.OffsetDateTime at) {
      return at.toInstant();
    }
    if (value instanceof java.sql.Timestamp at) {
      return at.toInstant();
    }
    throw new IllegalStateException("not a time: " + value.getClass());
  }

  /** Chunks of the job by LLM outcome ({@code ok}, {@code skipped_no_key}, …). */
  public Map<String, Long> llmOutcomes(String tenantId, UUID jobId) {
    List<?> rows =
        em.createQuery(
                "SELECT c.llmStatus, count(c) FROM ChunkResult c WHERE c.tenantId = :tenant"
                    + " AND c.jobId = :job GROUP BY c.llmStatus ORDER BY c.llmStatus")
            .setParameter("tenant", tenantId)
            .setParameter("job", jobId)
            .getResultList();
    Map<String, Long> outcomes = new LinkedHashMap<>();
    for (Object row : rows) {
      Object[] cells = (Object[]) row;
      outcomes.put((String) cells[0], number(cells[1]));
    }
    return outcomes;
  }

  /**
   * Why the job's LLM extraction failed where it did: chunks by the reason their failed or partial
   * LLM outcome gave (the most frequent ten), so a refused endpoint or a rejected key shows in
   * status.
   */
  public Map<String, Long> llmFailureReasons(String tenantId, UUID jobId) {
    List<?> rows =
        em.createQuery(
                "SELECT c.llmReason, count(c) FROM ChunkResult c WHERE c.tenantId = :tenant"
                    + " AND c.jobId = :job"
                    + " AND c.llmStatus IN ('failed', 'partial') AND c.llmReason IS NOT NULL"
                    + " GROUP BY c.llmReason ORDER BY count(c) DESC, c.llmReason")
            .setParameter("tenant", tenantId)
            .setParameter("job", jobId)
            .setMaxResults(10)
            .getResultList();
    Map<String, Long> reasons = new LinkedHashMap<>();
    for (Object row : rows) {
      Object[] cells = (Object[]) row;
      reasons.put((String) cells[0], number(cells[1]));
    }
    return reasons;
  }

  /** Extract runs the ledger gave up on that never produced a result: done, but failed. */
  public long exhaustedChunksWithoutResult(String tenantId, UUID jobId) {
    return number(
        em.createNativeQuery(
                "SELECT count(*) FROM run_outcomes o WHERE o.tenant_id = :tenant AND o.job_id = :job"
                    + " AND o.lane = 'extract' AND o.exhausted AND NOT EXISTS (SELECT 1 FROM"
                    + " chunk_results c WHERE c.tenant_id = o.tenant_id AND c.job_id = o.job_id"
                    + " AND c.seq = split_part(o.run_id, ':', 3)::int)")
            .setParameter("tenant", tenantId)
            .setParameter("job", jobId)
            .getSingleResult());
  }

  public List<AttemptView> attempts(String tenantId, UUID jobId) {
    return AttemptView.list(
        "tenantId = ?1 AND jobId = ?2 ORDER BY runId, startedAt NULLS LAST", tenantId, jobId);
  }

  public List<RunOutcome> outcomes(String tenantId, UUID jobId) {
    return RunOutcome.list("tenantId = ?1 AND jobId = ?2 ORDER BY runId", tenantId, jobId);
  }

  /**
   * One page of a tenant's jobs, newest first, after the cursor position (createdAt, jobId) when
   * given. Asks for one more than the limit, so the caller knows whether there is a next page.
   */
  public List<JobView> page(
      String tenantId,
      String status,
      String mailbox,
      Instant afterCreatedAt,
      UUID afterJobId,
      int limit) {
    StringBuilder where = new StringBuilder("tenantId = :tenant");
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("tenant", tenantId);
    if (status != null) {
      where.append(" AND status = :status");
      params.put("status", io.backfill.gateway.domain.JobStatus.ofWireName(status));
    }
    if (mailbox != null) {
      where.append(" AND mailbox = :mailbox");
      params.put("mailbox", mailbox);
    }
    if (afterCreatedAt != null) {
      where.append(" AND (createdAt < :afterAt OR (createdAt = :afterAt AND jobId < :afterJob))");
      params.put("afterAt", afterCreatedAt);
      params.put("afterJob", afterJobId);
    }
    var query =
        em.createQuery(
            "FROM JobView WHERE " + where + " ORDER BY createdAt DESC, jobId DESC", JobView.class);
    params.forEach(query::setParameter);
    return query.setMaxResults(limit + 1).getResultList();
  }

  private static long number(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }
}
