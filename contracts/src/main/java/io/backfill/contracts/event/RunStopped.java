package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * The attempt ended because its job was paused or cancelled, not because it failed. The run is
 * parked: the ledger schedules no retry and never times it out, and the job is not rolled up as
 * failed. A paused run continues as a new attempt when the job is resumed.
 *
 * @param reason {@value #PAUSED} or {@value #CANCELLED}
 * @param detail what the executor says about where it stopped (e.g. the checkpoint)
 */
public record RunStopped(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    AttemptId attemptId,
    String workerId,
    String reason,
    @OptionalField String detail)
    implements RunEvent {

  public static final String PAUSED = "paused";
  public static final String CANCELLED = "cancelled";
  private static final Set<String> REASONS = Set.of(PAUSED, CANCELLED);

  public RunStopped {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(attemptId, "attemptId");
    Require.text(workerId, "workerId");
    Require.text(reason, "reason");
    if (!REASONS.contains(reason)) {
      throw new IllegalArgumentException("reason must be one of " + REASONS + ", was " + reason);
    }
  }

  public static RunStopped of(
      String tenantId,
      RunId runId,
      AttemptId attemptId,
      String workerId,
      String reason,
      String detail) {
    return new RunStopped(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        runId.jobId(),
        runId,
        attemptId,
        workerId,
        reason,
        detail);
  }
}
