package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/**
 * The fetcher follows the job's mailbox from now on: a delta round every {@code intervalSeconds}
 * (jittered) until the job is cancelled; a pause holds the rounds.
 */
public record FollowStarted(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    int intervalSeconds)
    implements JobEvent {

  public FollowStarted {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.positive(intervalSeconds, "intervalSeconds");
  }

  public static FollowStarted of(String tenantId, JobId jobId, int intervalSeconds) {
    return new FollowStarted(UUID.randomUUID(), 1, Instant.now(), tenantId, jobId, intervalSeconds);
  }
}
