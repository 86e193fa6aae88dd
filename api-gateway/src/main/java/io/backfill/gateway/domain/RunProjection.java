package io.backfill.gateway.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.backfill.contracts.event.ChangeCounts;
import io.backfill.contracts.event.ChunkExtracted;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.Event;
import io.backfill.contracts.event.RetryDue;
import io.backfill.contracts.event.RunCompleted;
import io.backfill.contracts.event.RunControlEvent;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.event.RunExhausted;
import io.backfill.contracts.event.RunFailed;
import io.backfill.contracts.event.RunHeartbeat;
import io.backfill.contracts.event.RunStalled;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.event.RunStopped;
import io.backfill.contracts.event.RunTimedOut;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.serde.EventJson;
import io.backfill.gateway.persistence.ProjectedEvents;
import io.backfill.gateway.persistence.Sql;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/**
 * Projects {@code run.events}, {@code run.control} and {@code extraction.results} into the run,
 * attempt and chunk views. The three topics arrive in any order relative to each other, so every
 * write is an upsert that fills in what its event knows and leaves the rest: a RunTimedOut before
 * the attempt's RunStarted creates the attempt, and the RunStarted then adds worker and build
 * without undoing the timeout. An attempt's state only moves up (running &lt; stopped &lt;
 * completed/failed &lt; timed_out), so the result does not depend on the order, and replaying the
 * topics from the beginning rebuilds the same state.
 *
 * <p>Idempotent by eventId (the {@code projected_events} log), except heartbeats: those go through
 * the {@link HeartbeatCoalescer}, whose writes are idempotent by nature (latest wins).
 */
@ApplicationScoped
public class RunProjection {

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

  private final ProjectedEvents projected;
  private final EventTrust trust;
  private final FleetRegistry fleet;
  private final EntityManager em;
  private final MeterRegistry metrics;

  RunProjection(
      ProjectedEvents projected,
      EventTrust trust,
      FleetRegistry fleet,
      EntityManager em,
      MeterRegistry metrics) {
    this.projected = projected;
    this.trust = trust;
    this.fleet = fleet;
    this.em = em;
    this.metrics = metrics;
  }

  /** Projects a run event other than a heartbeat (those are coalesced). */
  @Transactional
  public void apply(RunEvent event) {
    if (!trust.accepts(event, event.jobId(), "run.events") || !firstTime(event, "run.events")) {
      return;
    }
    if (event instanceof RunStarted started) {
      Query upsert = attempt(event, "running");
      upsert.setParameter("worker", started.workerId());
      upsert.setParameter("build", started.buildSha());
      upsert.setParameter("interval", started.heartbeatIntervalMs());
      upsert.setParameter("started", started.occurredAt());
      upsert.executeUpdate();
      fleet.seen(
          started.workerId(),
          FleetRegistry.serviceOf(started.lane()),
          started.buildSha(),
          Instant.now());
    } else if (event instanceof RunCompleted completed) {
      Query upsert = attempt(event, "completed");
      upsert.setParameter("worker", completed.workerId());
      upsert.setParameter("ended", completed.occurredAt());
      upsert.executeUpdate();
    } else if (event instanceof RunFailed failed) {
      Query upsert = attempt(event, "failed");
      upsert.setParameter("worker", failed.workerId());
      upsert.setParameter("ended", failed.occurredAt());
      upsert.setParameter("retryable", failed.retryable());
      error(upsert, failed.error());
      upsert.executeUpdate();
    } else if (event instanceof RunStopped stopped) {
      // Paused or cancelled, not failed: no error, and nothing here makes the job look failed.
      Query upsert = attempt(event, "stopped");
      upsert.setParameter("worker", stopped.workerId());
      upsert.setParameter("ended", stopped.occurredAt());
      upsert.setParameter("stopReason", stopped.reason());
      Sql.bind(upsert, "stopDetail", stopped.detail(), String.class);
      upsert.executeUpdate();
    } else if (event instanceof RunHeartbeat) {
      throw new IllegalArgumentException("heartbeats go through the HeartbeatCoalescer");
    }
  }

  @Transactional
  public void apply(RunControlEvent event) {
    if (!trust.accepts(event, event.jobId(), "run.control") || !firstTime(event, "run.control")) {
      return;
    }
    if (event instanceof RunTimedOut timedOut) {
      Query upsert =
          attempt(
              event.tenantId(),
              timedOut.attemptId().value(),
              timedOut.jobId().value(),
              timedOut.runId().value(),
              timedOut.runId().lane(),
              "timed_out");
      upsert.setParameter("number", timedOut.attemptNumber());
      upsert.setParameter("ended", timedOut.occurredAt());
      Sql.bind(upsert, "worker", timedOut.diagnosis().workerId(), String.class);
      Sql.bind(upsert, "build", timedOut.diagnosis().buildSha(), String.class);
      upsert.setParameter("diagnosis", json(timedOut.diagnosis()));
      upsert.executeUpdate();
    } else if (event instanceof RunStalled stalled) {
      Query upsert =
          attempt(
              event.tenantId(),
              stalled.attemptId().value(),
              stalled.jobId().value(),
              stalled.runId().value(),
              stalled.runId().lane(),
              "running");
      upsert.setParameter("stalled", stalled.stalledForMs());
      upsert.executeUpdate();
    } else if (event instanceof RetryDue retry) {
      outcome(event, retry.runId().lane())
          .setParameter("retryAttempt", retry.attemptNumber())
          .setParameter("retryReason", retry.reason())
          .executeUpdate();
    } else if (event instanceof RunExhausted exhausted) {
      Query upsert = outcome(event, exhausted.lane());
      upsert.setParameter("exhausted", true);
      upsert.setParameter("attempts", exhausted.attempts());
      ErrorInfo error = exhausted.lastError();
      if (error != null) {
        error(upsert, error);
      }
      upsert.executeUpdate();
    }
  }

  /**
   * A chunk's extraction result, keyed by (job, seq): a second result of the same chunk replaces
   * the first, so counts are never added twice.
   */
  @Transactional
  public void apply(ChunkExtracted event) {
    if (!trust.accepts(event, event.jobId(), "extraction.results")
        || !firstTime(event, "extraction.results")) {
      return;
    }
    Query upsert =
        em.createNativeQuery(
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
                    + " WHERE EXCLUDED.extracted_at >= chunk_results.extracted_at")
            .setParameter("job", UUID.fromString(event.jobId().value()))
            .setParameter("seq", event.seq())
            .setParameter("tenant", event.tenantId())
            .setParameter("attempt", event.attemptId().value())
            .setParameter("messages", event.messages())
            .setParameter("entities", event.entities())
            .setParameter("relationships", event.relationships())
            .setParameter("embeddings", event.embeddings())
            .setParameter("status", llmStatus(event))
            .setParameter("at", event.occurredAt());
    ChangeCounts changes = event.changes();
    Sql.bind(upsert, "created", changes == null ? null : changes.created(), Integer.class);
    Sql.bind(upsert, "updated", changes == null ? null : changes.updated(), Integer.class);
    Sql.bind(upsert, "unchanged", changes == null ? null : changes.unchanged(), Integer.class);
    Sql.bind(upsert, "deleted", changes == null ? null : changes.deleted(), Integer.class);
    Sql.bind(upsert, "reason", event.llm().reason(), String.class).executeUpdate();
  }

  private boolean firstTime(Event event, String topic) {
    boolean first = projected.markProjected(event.eventId());
    metrics
        .counter(
            "backfill_gateway_events_total",
            "topic",
            topic,
            "type",
            event.getClass().getSimpleName(),
            "outcome",
            first ? "projected" : "duplicate")
        .increment();
    return first;
  }

  private Query attempt(RunEvent event, String state) {
    return attempt(
        event.tenantId(),
        event.attemptId().value(),
        event.jobId().value(),
        event.runId().value(),
        event.runId().lane(),
        state);
  }

  private Query attempt(
      String tenantId, UUID attemptId, String jobId, String runId, Lane lane, String state) {
    Query upsert = em.createNativeQuery(UPSERT_ATTEMPT);
    upsert.setParameter("attempt", attemptId);
    upsert.setParameter("tenant", tenantId);
    upsert.setParameter("job", UUID.fromString(jobId));
    upsert.setParameter("run", runId);
    upsert.setParameter("lane", lane.wireName());
    upsert.setParameter("state", state);
    for (String name :
        new String[] {
          "worker",
          "build",
          "errorType",
          "errorMessage",
          "errorStack",
          "phase",
          "diagnosis",
          "stopReason",
          "stopDetail"
        }) {
      typedNull(upsert, name, String.class);
    }
    for (String name : new String[] {"interval", "stalled", "done", "total"}) {
      typedNull(upsert, name, Long.class);
    }
    typedNull(upsert, "number", Integer.class);
    typedNull(upsert, "retryable", Boolean.class);
    typedNull(upsert, "started", Instant.class);
    typedNull(upsert, "ended", Instant.class);
    typedNull(upsert, "progressAt", Instant.class);
    return upsert;
  }

  private Query outcome(RunControlEvent event, Lane lane) {
    Query upsert =
        em.createNativeQuery(
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
                + SAME_OWNER.formatted("run_outcomes"));
    upsert.setParameter("run", event.runId().value());
    upsert.setParameter("tenant", event.tenantId());
    upsert.setParameter("job", UUID.fromString(event.jobId().value()));
    upsert.setParameter("lane", lane.wireName());
    upsert.setParameter("exhausted", false);
    typedNull(upsert, "attempts", Integer.class);
    typedNull(upsert, "retryAttempt", Integer.class);
    typedNull(upsert, "retryReason", String.class);
    typedNull(upsert, "errorType", String.class);
    typedNull(upsert, "errorMessage", String.class);
    typedNull(upsert, "errorStack", String.class);
    return upsert;
  }

  private static <T> void typedNull(Query query, String name, Class<T> type) {
    Sql.bind(query, name, null, type);
  }

  private static void error(Query upsert, ErrorInfo error) {
    Sql.bind(upsert, "errorType", error.type(), String.class);
    Sql.bind(upsert, "errorMessage", error.message(), String.class);
    Sql.bind(upsert, "errorStack", error.stackTrace(), String.class);
  }

  private static String llmStatus(ChunkExtracted event) {
    try {
      // The wire name (ok, skipped_no_key, …), as the contract's JSON spells it.
      return EventJson.mapper().writeValueAsString(event.llm().status()).replace("\"", "");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String json(Object value) {
    try {
      return EventJson.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
