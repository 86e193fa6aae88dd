package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.UUID;

/**
 * Start attempt {@code attemptNumber} of a run now. Fetch runs resume from their checkpoint;
 * extract runs re-read their chunk at {@code chunk}.
 *
 * @param retryOf the attempt whose failure or timeout this retry answers
 */
public record RetryDue(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    Lane lane,
    AttemptId retryOf,
    int attemptNumber,
    String reason,
    @OptionalField ChunkCoordinates chunk)
    implements RunControlEvent {

  public RetryDue {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.text(tenantId, "tenantId");
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(lane, "lane");
    Require.present(retryOf, "retryOf");
    Require.positive(attemptNumber, "attemptNumber");
    Require.text(reason, "reason");
    if (runId.lane() != lane) {
      throw new IllegalArgumentException("runId " + runId + " is not of lane " + lane.wireName());
    }
    if (lane == Lane.EXTRACT && chunk == null) {
      throw new IllegalArgumentException("an extract retry must say where its chunk is (chunk)");
    }
  }
}
