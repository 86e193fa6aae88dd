package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/** Stop a job for good; chunks already published are still extracted. */
public record CancelJob(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    @OptionalField String reason)
    implements BackfillCommand {

  public CancelJob {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
  }

  public static CancelJob of(String tenantId, JobId jobId, String reason) {
    return new CancelJob(UUID.randomUUID(), 1, Instant.now(), tenantId, jobId, reason);
  }
}
