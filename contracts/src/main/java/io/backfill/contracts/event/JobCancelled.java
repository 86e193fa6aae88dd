package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/** The job was cancelled; it will fetch nothing more. */
public record JobCancelled(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    @OptionalField String reason)
    implements JobEvent {

  public JobCancelled {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
  }

  public static JobCancelled of(String tenantId, JobId jobId, String reason) {
    return new JobCancelled(UUID.randomUUID(), 1, Instant.now(), tenantId, jobId, reason);
  }
}
