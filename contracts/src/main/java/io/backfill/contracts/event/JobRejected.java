package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/** A well-formed request the fetcher refused, with the reason a person can act on. */
public record JobRejected(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    String requestId,
    String reason)
    implements JobEvent {

  public JobRejected {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.text(requestId, "requestId");
    Require.text(reason, "reason");
  }

  public static JobRejected of(BackfillRequested request, String reason) {
    return new JobRejected(
        UUID.randomUUID(),
        1,
        Instant.now(),
        request.tenantId(),
        JobId.derive(request.tenantId(), request.requestId()),
        request.requestId(),
        reason);
  }
}
