package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/** The fetcher took a request and made it a job (pending until its fetch run starts). */
public record JobAccepted(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    String requestId,
    String mailbox,
    Instant from,
    Instant to,
    @OptionalField String folder)
    implements JobEvent {

  public JobAccepted {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.text(requestId, "requestId");
    Require.text(mailbox, "mailbox");
    Require.present(from, "from");
    Require.present(to, "to");
  }

  public static JobAccepted of(BackfillRequested request) {
    return new JobAccepted(
        UUID.randomUUID(),
        1,
        Instant.now(),
        request.tenantId(),
        JobId.derive(request.tenantId(), request.requestId()),
        request.requestId(),
        request.mailbox(),
        request.from(),
        request.to(),
        request.folder());
  }
}
