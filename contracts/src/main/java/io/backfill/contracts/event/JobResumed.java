package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/** The job continues from its checkpoint. */
public record JobResumed(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    @OptionalField String reason)
    implements JobEvent {

  public JobResumed {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
  }

  public static JobResumed of(String tenantId, JobId jobId, String reason) {
    return new JobResumed(UUID.randomUUID(), 1, Instant.now(), tenantId, jobId, reason);
  }
}
