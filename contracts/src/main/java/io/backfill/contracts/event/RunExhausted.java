package io.backfill.contracts.event;

import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.UUID;

/**
 * A run ended without success after {@code attempts} attempts (or a non-retryable failure). For
 * extract runs the chunk goes to {@code backfill.chunks.dlq} and the job completes with errors.
 */
public record RunExhausted(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    Lane lane,
    int attempts,
    @OptionalField ErrorInfo lastError,
    @OptionalField ChunkCoordinates chunk)
    implements RunControlEvent {

  public RunExhausted {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(lane, "lane");
    Require.positive(attempts, "attempts");
  }
}
