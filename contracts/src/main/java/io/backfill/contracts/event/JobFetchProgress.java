package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/**
 * The fetcher published another chunk. {@code hasMore} stays true while the fetch run is still
 * paging, so progress is never reported as complete too early.
 */
public record JobFetchProgress(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    int chunksPublished,
    long messagesFetched,
    boolean hasMore)
    implements JobEvent {

  public JobFetchProgress {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.notNegative(chunksPublished, "chunksPublished");
    Require.notNegative(messagesFetched, "messagesFetched");
  }
}
