package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.UUID;

/**
 * The ledger timed an attempt out. The attempt is fenced from then on: an executor that sees this
 * for its own attempt stops, and anything it still sends is ignored.
 */
public record RunTimedOut(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    AttemptId attemptId,
    int attemptNumber,
    TimeoutDiagnosis diagnosis)
    implements RunControlEvent {

  public RunTimedOut {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(attemptId, "attemptId");
    Require.positive(attemptNumber, "attemptNumber");
    Require.present(diagnosis, "diagnosis");
  }
}
