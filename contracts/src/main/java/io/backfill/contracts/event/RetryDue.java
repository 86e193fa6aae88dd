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
 * @param retryOf the attempt whose failure, timeout or stop this retry answers; absent when the run
 *     never had an attempt (a job re-driven because nothing owned it)
 * @param reason why: the failure or timeout the ledger saw, {@value #ORPHANED} for a job that had
 *     no live attempt for longer than the ledger's grace, {@value #RESUMED} for a run parked by a
 *     pause and re-driven when its job was resumed
 */
public record RetryDue(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    Lane lane,
    @OptionalField AttemptId retryOf,
    int attemptNumber,
    String reason,
    @OptionalField ChunkCoordinates chunk)
    implements RunControlEvent {

  /** A job that nothing was working on for longer than the ledger's grace. */
  public static final String ORPHANED = "orphaned";

  /** A run parked by its job's pause, re-driven when the job was resumed. */
  public static final String RESUMED = "resumed";

  public RetryDue {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(lane, "lane");
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
