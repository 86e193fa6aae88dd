package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/**
 * Start following a job whose history completed without following. Its first delta round lists
 * every folder afresh (Graph has no cheaper baseline) and removes what is gone since the history;
 * messages whose changeKey did not change are not extracted again.
 *
 * @param followIntervalSeconds seconds between delta rounds; absent means the fetcher's default
 */
public record FollowJob(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    @OptionalField Integer followIntervalSeconds)
    implements BackfillCommand {

  public FollowJob {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    if (followIntervalSeconds != null
        && (followIntervalSeconds < BackfillRequested.MIN_FOLLOW_INTERVAL_SECONDS
            || followIntervalSeconds > BackfillRequested.MAX_FOLLOW_INTERVAL_SECONDS)) {
      throw new IllegalArgumentException(
          "followIntervalSeconds must be between "
              + BackfillRequested.MIN_FOLLOW_INTERVAL_SECONDS
              + " and "
              + BackfillRequested.MAX_FOLLOW_INTERVAL_SECONDS
              + ", was "
              + followIntervalSeconds);
    }
  }

  public static FollowJob of(String tenantId, JobId jobId, Integer followIntervalSeconds) {
    return new FollowJob(
        UUID.randomUUID(), 1, Instant.now(), tenantId, jobId, followIntervalSeconds);
  }
}
