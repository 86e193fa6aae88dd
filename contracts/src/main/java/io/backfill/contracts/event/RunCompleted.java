package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.UUID;

/**
 * The attempt finished its run.
 *
 * @param chunks chunks the run published (fetch runs; the job is done when that many extract runs
 *     are terminal)
 * @param messages messages fetched (fetch) or extracted (extract)
 */
public record RunCompleted(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    AttemptId attemptId,
    String workerId,
    @OptionalField Integer chunks,
    long messages)
    implements RunEvent {

  public RunCompleted {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(attemptId, "attemptId");
    Require.text(workerId, "workerId");
    if (chunks != null) {
      Require.notNegative(chunks, "chunks");
    }
    Require.notNegative(messages, "messages");
  }

  public static RunCompleted of(
      String tenantId,
      RunId runId,
      AttemptId attemptId,
      String workerId,
      Integer chunks,
      long messages) {
    return new RunCompleted(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        runId.jobId(),
        runId,
        attemptId,
        workerId,
        chunks,
        messages);
  }
}
