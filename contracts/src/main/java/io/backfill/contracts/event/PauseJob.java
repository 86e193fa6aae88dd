package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/** Stop paging a job after the chunk in flight; its checkpoint is kept. */
public record PauseJob(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    @OptionalField String reason)
    implements BackfillCommand {

  public PauseJob {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
  }

  public static PauseJob of(String tenantId, JobId jobId, String reason) {
    return new PauseJob(UUID.randomUUID(), 1, Instant.now(), tenantId, jobId, reason);
  }
}
