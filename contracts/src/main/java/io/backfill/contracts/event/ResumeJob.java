package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/** Continue a job from its checkpoint; accepted for every state but running and completed. */
public record ResumeJob(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    @OptionalField String reason)
    implements BackfillCommand {

  public ResumeJob {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
  }

  public static ResumeJob of(String tenantId, JobId jobId, String reason) {
    return new ResumeJob(UUID.randomUUID(), 1, Instant.now(), tenantId, jobId, reason);
  }
}
