package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.UUID;

/** The attempt is alive, with its progress and the build of the process that runs it. */
public record RunHeartbeat(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    AttemptId attemptId,
    String workerId,
    String buildSha,
    Progress progress)
    implements RunEvent {

  public RunHeartbeat {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(attemptId, "attemptId");
    Require.text(workerId, "workerId");
    Require.text(buildSha, "buildSha");
    Require.present(progress, "progress");
  }

  public static RunHeartbeat of(
      String tenantId,
      RunId runId,
      AttemptId attemptId,
      String workerId,
      String buildSha,
      Progress progress) {
    return new RunHeartbeat(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        runId.jobId(),
        runId,
        attemptId,
        workerId,
        buildSha,
        progress);
  }
}
