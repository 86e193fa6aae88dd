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
import io.backfill.gateway.persistence.AttemptFacts;
import io.backfill.gateway.persistence.ProjectedEvents;
import io.backfill.gateway.persistence.RunStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
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

  private final ProjectedEvents projected;
  private final EventTrust trust;
  private final FleetRegistry fleet;
  private final RunStore runs;
  private final MeterRegistry metrics;
  private final AfterCommit afterCommit;

  RunProjection(
      ProjectedEvents projected,
      EventTrust trust,
      FleetRegistry fleet,
      RunStore runs,
      MeterRegistry metrics,
      AfterCommit afterCommit) {
    this.projected = projected;
    this.trust = trust;
    this.fleet = fleet;
    this.runs = runs;
    this.metrics = metrics;
    this.afterCommit = afterCommit;
  }

  /** Projects a run event other than a heartbeat (those are coalesced). */
  @Transactional
  public void apply(RunEvent event) {
    if (!trust.accepts(event, event.jobId(), "run.events") || !firstTime(event, "run.events")) {
      return;
    }
    if (event instanceof RunStarted started) {
      runs.upsertAttempt(
          attempt(event, "running")
              .worker(started.workerId())
              .build(started.buildSha())
              .heartbeatIntervalMs(started.heartbeatIntervalMs())
              .startedAt(started.occurredAt()));
      fleet.seen(
          started.workerId(),
          FleetRegistry.serviceOf(started.lane()),
          started.buildSha(),
          Instant.now());
    } else if (event instanceof RunCompleted completed) {
      runs.upsertAttempt(
          attempt(event, "completed").worker(completed.workerId()).endedAt(completed.occurredAt()));
    } else if (event instanceof RunFailed failed) {
      ErrorInfo error = failed.error();
      runs.upsertAttempt(
          attempt(event, "failed")
              .worker(failed.workerId())
              .endedAt(failed.occurredAt())
              .retryable(failed.retryable())
              .error(error.type(), error.message(), error.stackTrace()));
    } else if (event instanceof RunStopped stopped) {
      // Paused or cancelled, not failed: no error, and nothing here makes the job look failed.
      runs.upsertAttempt(
          attempt(event, "stopped")
              .worker(stopped.workerId())
              .endedAt(stopped.occurredAt())
              .stop(stopped.reason(), stopped.detail()));
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
      runs.upsertAttempt(
          attempt(
                  event.tenantId(),
                  timedOut.attemptId().value(),
                  timedOut.jobId().value(),
                  timedOut.runId().value(),
                  timedOut.runId().lane(),
                  "timed_out")
              .attemptNumber(timedOut.attemptNumber())
              .endedAt(timedOut.occurredAt())
              .worker(timedOut.diagnosis().workerId())
              .build(timedOut.diagnosis().buildSha())
              .timeoutDiagnosis(json(timedOut.diagnosis())));
    } else if (event instanceof RunStalled stalled) {
      runs.upsertAttempt(
          attempt(
                  event.tenantId(),
                  stalled.attemptId().value(),
                  stalled.jobId().value(),
                  stalled.runId().value(),
                  stalled.runId().lane(),
                  "running")
              .stalledForMs(stalled.stalledForMs()));
    } else if (event instanceof RetryDue retry) {
      runs.upsertOutcome(
          outcome(
              event,
              retry.runId().lane(),
              false,
              null,
              retry.attemptNumber(),
              retry.reason(),
              null));
    } else if (event instanceof RunExhausted exhausted) {
      runs.upsertOutcome(
          outcome(
              event,
              exhausted.lane(),
              true,
              exhausted.attempts(),
              null,
              null,
              exhausted.lastError()));
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
    ChangeCounts changes = event.changes();
    runs.upsertChunk(
        new RunStore.ChunkFacts(
            event.tenantId(),
            UUID.fromString(event.jobId().value()),
            event.seq(),
            event.attemptId().value(),
            event.messages(),
            event.entities(),
            event.relationships(),
            event.embeddings(),
            llmStatus(event),
            event.llm().reason(),
            event.occurredAt(),
            changes == null ? null : changes.created(),
            changes == null ? null : changes.updated(),
            changes == null ? null : changes.unchanged(),
            changes == null ? null : changes.deleted()));
  }

  private boolean firstTime(Event event, String topic) {
    boolean first = projected.markProjected(event.eventId());
    afterCommit.run(
        () ->
            metrics
                .counter(
                    "backfill_gateway_events_total",
                    "topic",
                    topic,
                    "type",
                    event.getClass().getSimpleName(),
                    "outcome",
                    first ? "projected" : "duplicate")
                .increment());
    return first;
  }

  private static AttemptFacts attempt(RunEvent event, String state) {
    return attempt(
        event.tenantId(),
        event.attemptId().value(),
        event.jobId().value(),
        event.runId().value(),
        event.runId().lane(),
        state);
  }

  private static AttemptFacts attempt(
      String tenantId, UUID attemptId, String jobId, String runId, Lane lane, String state) {
    return new AttemptFacts(
        tenantId, attemptId, UUID.fromString(jobId), runId, lane.wireName(), state);
  }

  /** What the ledger said about the run; a null error leaves the stored one. */
  private static RunStore.OutcomeFacts outcome(
      RunControlEvent event,
      Lane lane,
      boolean exhausted,
      Integer attempts,
      Integer retryDueAttempt,
      String retryReason,
      ErrorInfo error) {
    return new RunStore.OutcomeFacts(
        event.tenantId(),
        UUID.fromString(event.jobId().value()),
        event.runId().value(),
        lane.wireName(),
        exhausted,
        attempts,
        retryDueAttempt,
        retryReason,
        error == null ? null : error.type(),
        error == null ? null : error.message(),
        error == null ? null : error.stackTrace());
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
