package io.backfill.contracts.event;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import java.time.Instant;
import java.util.UUID;

/**
 * An executor began an attempt. Sent and acknowledged by Kafka before the attempt's first external
 * call. A newer RunStarted of the same run supersedes the running attempt.
 *
 * @param heartbeatIntervalMs how often this attempt promises a heartbeat; 0 means never, and such
 *     an attempt is judged by its lane's hard deadline only
 * @param chunk where the chunk record is (extract runs), so a retry can re-read it
 */
public record RunStarted(
    UUID eventId,
    int schemaVersion,
    Instant occurredAt,
    String tenantId,
    JobId jobId,
    RunId runId,
    Lane lane,
    AttemptId attemptId,
    String workerId,
    String buildSha,
    long heartbeatIntervalMs,
    @OptionalField ChunkCoordinates chunk)
    implements RunEvent {

  /** Five seconds: frequent enough for quick detection, rare enough to be cheap to ingest. */
  public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;

  public RunStarted {
    Require.present(eventId, "eventId");
    Require.schemaVersion(schemaVersion);
    Require.present(occurredAt, "occurredAt");
    Require.tenantId(tenantId);
    Require.present(jobId, "jobId");
    Require.present(runId, "runId");
    Require.present(lane, "lane");
    Require.present(attemptId, "attemptId");
    Require.text(workerId, "workerId");
    Require.text(buildSha, "buildSha");
    Require.notNegative(heartbeatIntervalMs, "heartbeatIntervalMs");
    if (runId.lane() != lane) {
      throw new IllegalArgumentException("runId " + runId + " is not of lane " + lane.wireName());
    }
    if (!runId.jobId().equals(jobId)) {
      throw new IllegalArgumentException("runId " + runId + " is not of job " + jobId);
    }
    if (lane == Lane.EXTRACT && chunk == null) {
      throw new IllegalArgumentException("an extract run must say where its chunk is (chunk)");
    }
  }

  public static RunStarted of(
      String tenantId,
      RunId runId,
      AttemptId attemptId,
      String workerId,
      String buildSha,
      long heartbeatIntervalMs,
      ChunkCoordinates chunk) {
    return new RunStarted(
        UUID.randomUUID(),
        1,
        Instant.now(),
        tenantId,
        runId.jobId(),
        runId,
        runId.lane(),
        attemptId,
        workerId,
        buildSha,
        heartbeatIntervalMs,
        chunk);
  }
}
