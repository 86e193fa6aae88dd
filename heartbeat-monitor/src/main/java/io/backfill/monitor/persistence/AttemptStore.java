package io.backfill.monitor.persistence;

import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.Progress;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.RunId;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code attempts} as ingest writes them: started, heartbeating, superseded, finished or stopped.
 * Callers own the transaction. Times come from the database's clock, the ledger's single clock.
 */
@ApplicationScoped
public class AttemptStore {

  private final Jdbc jdbc;

  AttemptStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** The last heartbeat of one attempt within a batch. */
  public record Beat(UUID attemptId, Progress progress) {}

  /**
   * Records the heartbeats of a batch (at most one per attempt: the latest) in ONE statement, at
   * the ledger's receive time; returns the attempts that were running (the others are fenced).
   */
  public Set<UUID> recordHeartbeats(Collection<Beat> beats) {
    if (beats.isEmpty()) {
      return new HashSet<>();
    }
    UUID[] ids = new UUID[beats.size()];
    Long[] done = new Long[beats.size()];
    Long[] total = new Long[beats.size()];
    String[] phase = new String[beats.size()];
    int i = 0;
    for (Beat beat : beats) {
      ids[i] = beat.attemptId();
      done[i] = beat.progress().done();
      total[i] = beat.progress().total();
      phase[i] = beat.progress().phase();
      i++;
    }
    // statement_timestamp(), not now(): the receive time of this batch, not the start of a
    // transaction that may have spent a while on the batch's other events.
    return new HashSet<>(
        jdbc.list(
            """
            UPDATE attempts a
            SET last_heartbeat_at = statement_timestamp(),
                progress_changed_at = CASE
                  WHEN a.progress_done IS DISTINCT FROM v.done
                    OR a.progress_phase IS DISTINCT FROM v.phase
                  THEN statement_timestamp()
                  ELSE a.progress_changed_at END,
                progress_done = v.done, progress_total = v.total,
                progress_phase = v.phase
            FROM unnest(?::uuid[], ?::bigint[], ?::bigint[], ?::text[])
                 AS v(attempt_id, done, total, phase)
            WHERE a.attempt_id = v.attempt_id AND a.state = 'running'
            RETURNING a.attempt_id
            """,
            row -> row.getObject(1, UUID.class),
            ids,
            done,
            total,
            phase));
  }

  /** Records a heartbeat of a running attempt; false when the attempt is not running (fenced). */
  public boolean recordHeartbeat(AttemptId attemptId, Progress progress) {
    return jdbc.update(
            """
            UPDATE attempts
            SET last_heartbeat_at = now(),
                progress_changed_at = CASE
                  WHEN progress_done IS DISTINCT FROM ?
                    OR progress_phase IS DISTINCT FROM ? THEN now()
                  ELSE progress_changed_at END,
                progress_done = ?, progress_total = ?, progress_phase = ?
            WHERE attempt_id = ? AND state = 'running'
            """,
            progress.done(),
            progress.phase(),
            progress.done(),
            progress.total(),
            progress.phase(),
            attemptId.value())
        == 1;
  }

  public boolean attemptExists(AttemptId attemptId) {
    return jdbc.first("SELECT 1 FROM attempts WHERE attempt_id = ?", row -> 1, attemptId.value())
        .isPresent();
  }

  /** Marks the run's running attempt (if any) superseded; returns its id. */
  public Optional<UUID> supersedeRunningAttempt(RunId runId) {
    return jdbc.first(
        """
        UPDATE attempts SET state = 'superseded', ended_at = now()
        WHERE run_id = ? AND state = 'running'
        RETURNING attempt_id
        """,
        row -> row.getObject(1, UUID.class),
        runId.value());
  }

  /** Inserts the attempt as running with the given number (the run's count, just raised). */
  public void insertRunning(RunStarted started, int number) {
    jdbc.update(
        """
        INSERT INTO attempts (attempt_id, run_id, number, worker_id, build_sha,
                              heartbeat_interval_ms, state, started_at, last_heartbeat_at,
                              progress_changed_at)
        VALUES (?, ?, ?, ?, ?, ?, 'running', now(), now(), now())
        """,
        started.attemptId().value(),
        started.runId().value(),
        number,
        started.workerId(),
        started.buildSha(),
        started.heartbeatIntervalMs());
  }

  /** Ends a running attempt with the given state; false when it is not running (fenced). */
  public boolean finish(
      AttemptId attemptId, String attemptState, ErrorInfo error, Boolean retryable) {
    return jdbc.update(
            """
            UPDATE attempts
            SET state = ?, ended_at = now(), error_type = ?, error_message = ?,
                error_stack_trace = ?, error_retryable = ?
            WHERE attempt_id = ? AND state = 'running'
            """,
            attemptState,
            error == null ? null : error.type(),
            error == null ? null : error.message(),
            error == null ? null : error.stackTrace(),
            retryable,
            attemptId.value())
        > 0;
  }

  /** Ends a running attempt as stopped with its reason; false when it is not running (fenced). */
  public boolean stop(AttemptId attemptId, String reason, String detail) {
    return jdbc.update(
            """
            UPDATE attempts
            SET state = 'stopped', ended_at = now(), stop_reason = ?, stop_detail = ?
            WHERE attempt_id = ? AND state = 'running'
            """,
            reason,
            detail,
            attemptId.value())
        > 0;
  }

  /** The attempts of a run in order, as the ledger sees them now. */
  public List<AttemptRow> attemptsOf(RunId runId) {
    return jdbc.list(
        """
        SELECT attempt_id, number, state, worker_id, build_sha, heartbeat_interval_ms,
               progress_done
        FROM attempts WHERE run_id = ? ORDER BY number
        """,
        row ->
            new AttemptRow(
                row.getObject("attempt_id", UUID.class),
                row.getInt("number"),
                row.getString("state"),
                row.getString("worker_id"),
                row.getString("build_sha"),
                row.getLong("heartbeat_interval_ms"),
                row.getLong("progress_done")),
        runId.value());
  }
}
