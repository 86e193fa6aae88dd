package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.UUID;

/** Heartbeats arrive but the attempt's progress has not moved for {@code stalledForMs}. */
public record RunStalled(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    AttemptId attemptId,
    Progress progress,
    long stalledForMs,
    long stallAfterMs)
    implements RunControlEvent {

  public RunStalled {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(attemptId, "attemptId");
    Require.present(progress, "progress");
    Require.notNegative(stalledForMs, "stalledForMs");
    Require.notNegative(stallAfterMs, "stallAfterMs");
  }
}
