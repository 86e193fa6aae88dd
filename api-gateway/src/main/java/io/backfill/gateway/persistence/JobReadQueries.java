package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /**
   * One run as the status shows it, its state worked out from its attempts and outcome: exhausted
   * (the ledger gave up), completed (an attempt completed), running (an attempt runs), retry-due,
   * pending (no attempt yet), else its latest attempt's state.
   */
  public record RunSummary(
      String runId, String state, Integer retryDueAttempt, String retryReason) {}

  /**
   * The runs a status shows, with how many runs the job has and how many of them ended stopped.
   *
   * @param shown active and failed runs first, then completed ones; within each, runs with an
   *     outcome first, each group by run id
   */
  public record RunsPage(List<RunSummary> shown, int total, int stopped) {}

  /**
   * Runs summed up by the database: a status read costs the runs it shows, not every attempt the
   * job ever had.
   */
  private static final String RUNS_PAGE =
      "WITH a AS (SELECT run_id, bool_or(state = 'completed') AS completed,"
          + " bool_or(state = 'running') AS running,"
          + " (array_agg(state ORDER BY started_at DESC NULLS FIRST))[1] AS last_state"
          + " FROM run_attempts WHERE tenant_id = :tenant AND job_id = :job GROUP BY run_id),"
          + " o AS (SELECT run_id, exhausted, retry_due_attempt, retry_reason FROM run_outcomes"
          + " WHERE tenant_id = :tenant AND job_id = :job),"
          + " r AS (SELECT coalesce(o.run_id, a.run_id) AS run_id, o.run_id IS NOT NULL AS known,"
          + " o.retry_due_attempt, o.retry_reason,"
          + " CASE WHEN o.exhausted THEN 'exhausted' WHEN a.completed THEN 'completed'"
          + " WHEN a.running THEN 'running' WHEN o.retry_due_attempt IS NOT NULL THEN 'retry-due'"
          + " WHEN a.run_id IS NULL THEN 'pending' ELSE a.last_state END AS state"
          + " FROM a FULL OUTER JOIN o ON o.run_id = a.run_id)"
          + " SELECT run_id, state, retry_due_attempt, retry_reason, count(*) OVER () AS total,"
          + " count(*) FILTER (WHERE state = 'stopped') OVER () AS stopped"
          + " FROM r ORDER BY state = 'completed', NOT known, run_id LIMIT :max";

  public RunsPage runs(String tenantId, UUID jobId, int max) {
    List<?> rows =
        em.createNativeQuery(RUNS_PAGE)
            .setParameter("tenant", tenantId)
            .setParameter("job", jobId)
            .setParameter("max", max)
            .getResultList();
    List<RunSummary> shown = new ArrayList<>(rows.size());
    int total = 0;
    int stopped = 0;
    for (Object row : rows) {
      Object[] cells = (Object[]) row;
      shown.add(
          new RunSummary(
              (String) cells[0],
              (String) cells[1],
              cells[2] == null ? null : ((Number) cells[2]).intValue(),
              (String) cells[3]));
      total = (int) number(cells[4]);
      stopped = (int) number(cells[5]);
    }
    return new RunsPage(shown, total, stopped);
  }

  /** The attempts of the given runs of the job, by run, oldest attempt first. */
  public List<AttemptView> attempts(String tenantId, UUID jobId, Collection<String> runIds) {
    if (runIds.isEmpty()) {
      return List.of();
    }
    return AttemptView.list(
        "tenantId = ?1 AND jobId = ?2 AND runId IN ?3 ORDER BY runId, startedAt NULLS LAST",
        tenantId,
        jobId,
        runIds);
  }

  /** The state of the job's latest fetch attempt; empty when it has none. */
  public Optional<String> latestFetchState(String tenantId, UUID jobId) {
    List<?> states =
        em.createNativeQuery(
                "SELECT state FROM run_attempts WHERE tenant_id = :tenant AND job_id = :job"
                    + " AND lane = 'fetch' ORDER BY started_at DESC NULLS LAST LIMIT 1")
            .setParameter("tenant", tenantId)
            .setParameter("job", jobId)
            .getResultList();
    return states.isEmpty() ? Optional.empty() : Optional.of((String) states.get(0));
  }

  /** Newest first: by when the attempt ended, else started; never-started last. */
  private static final String NEWEST_FIRST =
      " ORDER BY coalesce(endedAt, startedAt) DESC NULLS LAST, runId, startedAt NULLS LAST";

  /** The job's latest attempts the ledger timed out, newest first. */
  public List<AttemptView> timedOutAttempts(String tenantId, UUID jobId, int max) {
    return AttemptView.find(
            "tenantId = ?1 AND jobId = ?2 AND timeoutDiagnosis IS NOT NULL" + NEWEST_FIRST,
            tenantId,
            jobId)
        .page(0, max)
        .list();
  }

  /** The job's latest attempts that failed with an error, newest first. */
  public List<AttemptView> failedAttempts(String tenantId, UUID jobId, int max) {
    return AttemptView.find(
            "tenantId = ?1 AND jobId = ?2 AND errorType IS NOT NULL" + NEWEST_FIRST,
            tenantId,
            jobId)
        .page(0, max)
        .list();
  }

  /** Run outcomes of the job that carry an error (the ledger's last error), by run id. */
  public List<RunOutcome> failedOutcomes(String tenantId, UUID jobId, int max) {
    return RunOutcome.find(
            "tenantId = ?1 AND jobId = ?2 AND errorType IS NOT NULL ORDER BY runId",
            tenantId,
            jobId)
        .page(0, max)
        .list();
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
