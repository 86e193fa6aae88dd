package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/** The job stopped paging; its checkpoint is kept. */
public record JobPaused(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    @OptionalField String reason)
    implements JobEvent {

  public JobPaused {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
  }

  public static JobPaused of(String tenantId, JobId jobId, String reason) {
    return new JobPaused(UUID.randomUUID(), 1, Instant.now(), tenantId, jobId, reason);
  }
}
