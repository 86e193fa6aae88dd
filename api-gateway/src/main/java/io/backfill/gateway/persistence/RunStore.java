package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.time.Instant;
import java.util.UUID;

/**
 * The run side of the read model: attempts ({@code run_attempts}), the ledger's decisions about
 * runs ({@code run_outcomes}) and extracted chunks ({@code chunk_results}). Every write is an
 * upsert that fills in what its event knows and leaves the rest, so events may arrive in any order
 * and any number of times; rows are keyed within their tenant, and an upsert changes a row only for
 * the job it was written for. Callers own the transaction.
 */
@ApplicationScoped
public class RunStore {

  /**
   * What the ledger said about a run: a retry due ({@code retryDueAttempt}, {@code retryReason}) or
   * the run exhausted ({@code exhausted}, {@code attempts}, its last error). Null leaves the stored
   * value.
   */
  public record OutcomeFacts(
      String tenantId,
      UUID jobId,
      String runId,
      String lane,
      boolean exhausted,
      Integer attempts,
      Integer retryDueAttempt,
      String retryReason,
      String errorType,
      String errorMessage,
      String errorStackTrace) {}

  /** One chunk's extraction result; the change counts are null when the chunk had none. */
  public record ChunkFacts(
      String tenantId,
      UUID jobId,
      int seq,
      UUID attemptId,
      int messages,
      int entities,
      int relationships,
      int embeddings,
      String llmStatus,
      String llmReason,
      Instant extractedAt,
      Integer created,
      Integer updated,
      Integer unchanged,
      Integer deleted) {}

  /** The latest heartbeat of an attempt, with the gateway's time of receipt. */
  public record HeartbeatFacts(
      String tenantId,
      UUID attemptId,
      UUID jobId,
      String runId,
      String lane,
      String workerId,
      String buildSha,
      Instant receivedAt,
      long progressDone,
      Long progressTotal,
      String progressPhase,
      Instant progressAt) {}

  /**
   * State rank as SQL: the upsert keeps the higher of the stored and the new state. A stop (job
   * paused or cancelled) ends an attempt but ranks below completed/failed, which are what the
   * attempt itself says about its work; the ledger's timeout fences everything.
   */
  private static final String RANK =
      "CASE %s WHEN 'running' THEN 0 WHEN 'stopped' THEN 1 WHEN 'completed' THEN 2"
          + " WHEN 'failed' THEN 2 ELSE 3 END";

  /**
   * Rows are keyed within their tenant (V6); an upsert also changes a row only for the job it was
   * written for, so an event naming another job's attempt or run changes nothing.
   */
  private static final String SAME_OWNER =
      " WHERE %1$s.tenant_id = EXCLUDED.tenant_id AND %1$s.job_id = EXCLUDED.job_id";

  private static final String UPSERT_ATTEMPT =
      "INSERT INTO run_attempts (attempt_id, tenant_id, job_id, run_id, lane, state, attempt_number,"
          + " worker_id, build_sha, heartbeat_interval_ms, started_at, ended_at, stalled_for_ms,"
          + " progress_done, progress_total, progress_phase, progress_at, error_type,"
          + " error_message, error_stack_trace, retryable, timeout_diagnosis, stop_reason, stop_detail)"
          + " VALUES (:attempt, :tenant, :job, :run, :lane, :state, :number, :worker, :build,"
          + " :interval, :started, :ended, :stalled, :done, :total, :phase, :progressAt,"
          + " :errorType, :errorMessage, :errorStack, :retryable, :diagnosis, :stopReason,"
          + " :stopDetail)"
          + " ON CONFLICT (tenant_id, attempt_id) DO UPDATE SET"
          + " state = CASE WHEN "
          + RANK.formatted("EXCLUDED.state")
          + " > "
          + RANK.formatted("run_attempts.state")
          + " THEN EXCLUDED.state ELSE run_attempts.state END,"
          + " attempt_number = coalesce(EXCLUDED.attempt_number, run_attempts.attempt_number),"
          + " worker_id = coalesce(run_attempts.worker_id, EXCLUDED.worker_id),"
          + " build_sha = coalesce(run_attempts.build_sha, EXCLUDED.build_sha),"
          + " heartbeat_interval_ms = coalesce(EXCLUDED.heartbeat_interval_ms,"
          + " run_attempts.heartbeat_interval_ms),"
          + " started_at = coalesce(EXCLUDED.started_at, run_attempts.started_at),"
          + " ended_at = coalesce(run_attempts.ended_at, EXCLUDED.ended_at),"
          + " stalled_for_ms = coalesce(EXCLUDED.stalled_for_ms, run_attempts.stalled_for_ms),"
          + " progress_done = CASE WHEN EXCLUDED.progress_at IS NOT NULL AND"
          + " (run_attempts.progress_at IS NULL OR EXCLUDED.progress_at > run_attempts.progress_at)"
          + " THEN EXCLUDED.progress_done ELSE run_attempts.progress_done END,"
          + " progress_total = CASE WHEN EXCLUDED.progress_at IS NOT NULL AND"
          + " (run_attempts.progress_at IS NULL OR EXCLUDED.progress_at > run_attempts.progress_at)"
          + " THEN EXCLUDED.progress_total ELSE run_attempts.progress_total END,"
          + " progress_phase = CASE WHEN EXCLUDED.progress_at IS NOT NULL AND"
          + " (run_attempts.progress_at IS NULL OR EXCLUDED.progress_at > run_attempts.progress_at)"
          + " THEN EXCLUDED.progress_phase ELSE run_attempts.progress_phase END,"
          + " progress_at = greatest(run_attempts.progress_at, EXCLUDED.progress_at),"
          + " error_type = coalesce(EXCLUDED.error_type, run_attempts.error_type),"
          + " error_message = coalesce(EXCLUDED.error_message, run_attempts.error_message),"
          + " error_stack_trace = coalesce(EXCLUDED.error_stack_trace,"
          + " run_attempts.error_stack_trace),"
          + " retryable = coalesce(EXCLUDED.retryable, run_attempts.retryable),"
          + " timeout_diagnosis = coalesce(EXCLUDED.timeout_diagnosis,"
          + " run_attempts.timeout_diagnosis),"
          + " stop_reason = coalesce(run_attempts.stop_reason, EXCLUDED.stop_reason),"
          + " stop_detail = coalesce(run_attempts.stop_detail, EXCLUDED.stop_detail)"
          + SAME_OWNER.formatted("run_attempts");

  private static final String UPSERT_OUTCOME =
      "INSERT INTO run_outcomes (run_id, tenant_id, job_id, lane, exhausted, attempts,"
          + " retry_due_attempt, retry_reason, error_type, error_message, error_stack_trace)"
          + " VALUES (:run, :tenant, :job, :lane, :exhausted, :attempts, :retryAttempt,"
          + " :retryReason, :errorType, :errorMessage, :errorStack)"
          + " ON CONFLICT (tenant_id, run_id) DO UPDATE SET"
          + " exhausted = run_outcomes.exhausted OR EXCLUDED.exhausted,"
          + " attempts = greatest(run_outcomes.attempts, EXCLUDED.attempts),"
          + " retry_due_attempt = greatest(run_outcomes.retry_due_attempt,"
          + " EXCLUDED.retry_due_attempt),"
          + " retry_reason = CASE WHEN EXCLUDED.retry_due_attempt IS NOT NULL AND"
          + " EXCLUDED.retry_due_attempt >= coalesce(run_outcomes.retry_due_attempt, 0)"
          + " THEN EXCLUDED.retry_reason ELSE run_outcomes.retry_reason END,"
          + " error_type = coalesce(EXCLUDED.error_type, run_outcomes.error_type),"
          + " error_message = coalesce(EXCLUDED.error_message, run_outcomes.error_message),"
          + " error_stack_trace = coalesce(EXCLUDED.error_stack_trace,"
          + " run_outcomes.error_stack_trace)"
          + SAME_OWNER.formatted("run_outcomes");

  /** A second result of the same chunk replaces the first, so counts are never added twice. */
  private static final String UPSERT_CHUNK =
      "INSERT INTO chunk_results (job_id, seq, tenant_id, attempt_id, messages, entities,"
          + " relationships, embeddings, llm_status, llm_reason, extracted_at,"
          + " changes_created, changes_updated, changes_unchanged, changes_deleted)"
          + " VALUES (:job, :seq, :tenant, :attempt, :messages, :entities, :relationships,"
          + " :embeddings, :status, :reason, :at, :created, :updated, :unchanged,"
          + " :deleted)"
          + " ON CONFLICT (tenant_id, job_id, seq) DO UPDATE SET"
          + " attempt_id = EXCLUDED.attempt_id,"
          + " messages = EXCLUDED.messages, entities = EXCLUDED.entities,"
          + " relationships = EXCLUDED.relationships, embeddings = EXCLUDED.embeddings,"
          + " llm_status = EXCLUDED.llm_status, llm_reason = EXCLUDED.llm_reason,"
          + " extracted_at = EXCLUDED.extracted_at,"
          + " changes_created = EXCLUDED.changes_created,"
          + " changes_updated = EXCLUDED.changes_updated,"
          + " changes_unchanged = EXCLUDED.changes_unchanged,"
          + " changes_deleted = EXCLUDED.changes_deleted"
          + " WHERE EXCLUDED.extracted_at >= chunk_results.extracted_at";

  /**
   * Heartbeat progress counts when it is newer than the stored one; the last-heartbeat time only
   * moves forward.
   */
  private static final String UPSERT_HEARTBEAT =
      "INSERT INTO run_attempts (attempt_id, tenant_id, job_id, run_id, lane, state,"
          + " worker_id, build_sha, last_heartbeat_at, progress_done, progress_total,"
          + " progress_phase, progress_at)"
          + " VALUES (:attempt, :tenant, :job, :run, :lane, 'running', :worker, :build,"
          + " :received, :done, :total, :phase, :at)"
          + " ON CONFLICT (tenant_id, attempt_id) DO UPDATE SET"
          + " worker_id = coalesce(run_attempts.worker_id, EXCLUDED.worker_id),"
          + " build_sha = coalesce(run_attempts.build_sha, EXCLUDED.build_sha),"
          + " last_heartbeat_at = greatest(run_attempts.last_heartbeat_at,"
          + " EXCLUDED.last_heartbeat_at),"
          + " progress_done = CASE WHEN run_attempts.progress_at IS NULL"
          + " OR EXCLUDED.progress_at > run_attempts.progress_at"
          + " THEN EXCLUDED.progress_done ELSE run_attempts.progress_done END,"
          + " progress_total = CASE WHEN run_attempts.progress_at IS NULL"
          + " OR EXCLUDED.progress_at > run_attempts.progress_at"
          + " THEN EXCLUDED.progress_total ELSE run_attempts.progress_total END,"
          + " progress_phase = CASE WHEN run_attempts.progress_at IS NULL"
          + " OR EXCLUDED.progress_at > run_attempts.progress_at"
          + " THEN EXCLUDED.progress_phase ELSE run_attempts.progress_phase END,"
          + " progress_at = greatest(run_attempts.progress_at, EXCLUDED.progress_at)"
          // A heartbeat naming this attempt under another job changes nothing.
          + " WHERE run_attempts.job_id = EXCLUDED.job_id";

  private final EntityManager em;

  RunStore(EntityManager em) {
    this.em = em;
  }

  /** Creates the attempt or adds to it what the facts know; its state only moves up. */
  public void upsertAttempt(AttemptFacts facts) {
    Query upsert = em.createNativeQuery(UPSERT_ATTEMPT);
    upsert.setParameter("attempt", facts.attemptId);
    upsert.setParameter("tenant", facts.tenantId);
    upsert.setParameter("job", facts.jobId);
    upsert.setParameter("run", facts.runId);
    upsert.setParameter("lane", facts.lane);
    upsert.setParameter("state", facts.state);
    nullable(upsert, "number", facts.attemptNumber, Integer.class);
    nullable(upsert, "worker", facts.workerId, String.class);
    nullable(upsert, "build", facts.buildSha, String.class);
    nullable(upsert, "interval", facts.heartbeatIntervalMs, Long.class);
    nullable(upsert, "started", facts.startedAt, Instant.class);
    nullable(upsert, "ended", facts.endedAt, Instant.class);
    nullable(upsert, "stalled", facts.stalledForMs, Long.class);
    nullable(upsert, "retryable", facts.retryable, Boolean.class);
    nullable(upsert, "errorType", facts.errorType, String.class);
    nullable(upsert, "errorMessage", facts.errorMessage, String.class);
    nullable(upsert, "errorStack", facts.errorStackTrace, String.class);
    nullable(upsert, "diagnosis", facts.timeoutDiagnosis, String.class);
    nullable(upsert, "stopReason", facts.stopReason, String.class);
    nullable(upsert, "stopDetail", facts.stopDetail, String.class);
    // Progress comes only with heartbeats (upsertHeartbeat).
    Sql.bind(upsert, "done", null, Long.class);
    Sql.bind(upsert, "total", null, Long.class);
    Sql.bind(upsert, "phase", null, String.class);
    Sql.bind(upsert, "progressAt", null, Instant.class);
    upsert.executeUpdate();
  }

  /** Creates the run's outcome or adds to it; exhausted never goes back to false. */
  public void upsertOutcome(OutcomeFacts facts) {
    Query upsert = em.createNativeQuery(UPSERT_OUTCOME);
    upsert.setParameter("run", facts.runId());
    upsert.setParameter("tenant", facts.tenantId());
    upsert.setParameter("job", facts.jobId());
    upsert.setParameter("lane", facts.lane());
    upsert.setParameter("exhausted", facts.exhausted());
    nullable(upsert, "attempts", facts.attempts(), Integer.class);
    nullable(upsert, "retryAttempt", facts.retryDueAttempt(), Integer.class);
    nullable(upsert, "retryReason", facts.retryReason(), String.class);
    nullable(upsert, "errorType", facts.errorType(), String.class);
    nullable(upsert, "errorMessage", facts.errorMessage(), String.class);
    nullable(upsert, "errorStack", facts.errorStackTrace(), String.class);
    upsert.executeUpdate();
  }

  /** Stores the chunk's result unless a later result of the same chunk is stored already. */
  public void upsertChunk(ChunkFacts facts) {
    Query upsert =
        em.createNativeQuery(UPSERT_CHUNK)
            .setParameter("job", facts.jobId())
            .setParameter("seq", facts.seq())
            .setParameter("tenant", facts.tenantId())
            .setParameter("attempt", facts.attemptId())
            .setParameter("messages", facts.messages())
            .setParameter("entities", facts.entities())
            .setParameter("relationships", facts.relationships())
            .setParameter("embeddings", facts.embeddings())
            .setParameter("status", facts.llmStatus())
            .setParameter("at", facts.extractedAt());
    Sql.bind(upsert, "created", facts.created(), Integer.class);
    Sql.bind(upsert, "updated", facts.updated(), Integer.class);
    Sql.bind(upsert, "unchanged", facts.unchanged(), Integer.class);
    Sql.bind(upsert, "deleted", facts.deleted(), Integer.class);
    Sql.bind(upsert, "reason", facts.llmReason(), String.class).executeUpdate();
  }

  /** Creates the attempt as running or adds the heartbeat's time and progress to it. */
  public void upsertHeartbeat(HeartbeatFacts facts) {
    Query upsert =
        em.createNativeQuery(UPSERT_HEARTBEAT)
            .setParameter("attempt", facts.attemptId())
            .setParameter("tenant", facts.tenantId())
            .setParameter("job", facts.jobId())
            .setParameter("run", facts.runId())
            .setParameter("lane", facts.lane())
            .setParameter("worker", facts.workerId())
            .setParameter("build", facts.buildSha())
            .setParameter("received", facts.receivedAt())
            .setParameter("done", facts.progressDone())
            .setParameter("phase", facts.progressPhase())
            .setParameter("at", facts.progressAt());
    Sql.bind(upsert, "total", facts.progressTotal(), Long.class).executeUpdate();
  }

  /** A value the event may not know: a null is bound with its type. */
  private static <T> void nullable(Query query, String name, T value, Class<T> type) {
    if (value == null) {
      Sql.bind(query, name, null, type);
    } else {
      query.setParameter(name, value);
    }
  }
}
