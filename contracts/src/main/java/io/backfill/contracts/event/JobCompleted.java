package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import java.time.Instant;
import java.util.UUID;

/**
 * Every chunk of the job is terminal. {@code failedChunks} > 0 means completed with errors: those
 * chunks are in {@code backfill.chunks.dlq}.
 */
public record JobCompleted(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    int chunks,
    long messages,
    int failedChunks)
    implements JobEvent {

  public JobCompleted {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.notNegative(chunks, "chunks");
    Require.notNegative(messages, "messages");
    Require.notNegative(failedChunks, "failedChunks");
    if (failedChunks > chunks) {
      throw new IllegalArgumentException(
          "failedChunks " + failedChunks + " exceeds chunks " + chunks);
    }
  }

  public boolean withErrors() {
    return failedChunks > 0;
  }
}
