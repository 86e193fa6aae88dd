package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.UUID;

/**
 * The attempt failed. A retryable failure is retried by the ledger's policy; a non-retryable one
 * (Graph 400/403/404, bad input) ends the run.
 */
public record RunFailed(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    AttemptId attemptId,
    String workerId,
    boolean retryable,
    ErrorInfo error)
    implements RunEvent {

  public RunFailed {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(attemptId, "attemptId");
    Require.text(workerId, "workerId");
    Require.present(error, "error");
  }

  public static RunFailed of(
      String tenantId,
      RunId runId,
      AttemptId attemptId,
      String workerId,
      boolean retryable,
      ErrorInfo error) {
    return new RunFailed(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        runId.jobId(),
        runId,
        attemptId,
        workerId,
        retryable,
        error);
  }
}
