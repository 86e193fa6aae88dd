package io.backfill.monitor.persistence;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.event.ErrorInfo;
import io.backfill.contracts.event.RunStarted;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code runs}: created by the first RunStarted, locked by whoever decides about them, moved
 * between running, retry_pending, parked and ended. Callers own the transaction.
 */
@ApplicationScoped
public class RunStore {

  /** The columns {@link #runRow} reads, qualified by {@code r}. */
  public static final String RUN_COLUMNS =
      "r.run_id, r.lane, r.tenant_id, r.job_id, r.state, r.attempts,"
          + " r.chunk_topic, r.chunk_partition, r.chunk_offset";

  private final Jdbc jdbc;

  RunStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** A run and the id of its latest attempt (null when it never had one). */
  public record RunAndAttempt(RunRow run, UUID currentAttempt) {}

  /** The state of a job's fetch run as the roll-up reads it. */
  public record FetchRunEnd(String state, Integer chunks, String errorType, String errorMessage) {}

  /** How the extract runs of a job's history ended so far. */
  public record ExtractEnds(int completed, int exhausted, long messages) {}

  /** Maps the run columns of {@link #RUN_COLUMNS} of the current row. */
  public static RunRow runRow(ResultSet row) throws SQLException {
    String topic = row.getString("chunk_topic");
    return new RunRow(
        new RunId(row.getString("run_id")),
        Lane.fromWireName(row.getString("lane")),
        row.getString("tenant_id"),
        new JobId(row.getObject("job_id", UUID.class).toString()),
        row.getString("state"),
        row.getInt("attempts"),
        topic == null
            ? null
            : new ChunkCoordinates(
                topic, row.getInt("chunk_partition"), row.getLong("chunk_offset")));
  }

  private static RunAndAttempt runAndAttempt(ResultSet row) throws SQLException {
    return new RunAndAttempt(runRow(row), row.getObject("current_attempt_id", UUID.class));
  }

  /** Creates the run if it is new and locks its row for the rest of the transaction. */
  public void upsertAndLock(RunStarted started) {
    var chunk = started.chunk();
    jdbc.update(
        """
        INSERT INTO runs (run_id, lane, tenant_id, job_id, state,
                          chunk_topic, chunk_partition, chunk_offset)
        VALUES (?, ?, ?, ?, 'running', ?, ?, ?)
        ON CONFLICT (run_id) DO NOTHING
        """,
        started.runId().value(),
        started.lane().wireName(),
        started.tenantId(),
        UUID.fromString(started.jobId().value()),
        chunk == null ? null : chunk.topic(),
        chunk == null ? null : chunk.partition(),
        chunk == null ? null : chunk.offset());
    jdbc.list(
        "SELECT run_id FROM runs WHERE run_id = ? FOR UPDATE",
        row -> row.getString(1),
        started.runId().value());
  }

  /** Counts a new attempt of the run and makes it the run's running one; returns its number. */
  public int countNewAttempt(RunStarted started) {
    return jdbc.single(
        """
        UPDATE runs SET attempts = attempts + 1, state = 'running',
                        current_attempt_id = ?, updated_at = now()
        WHERE run_id = ?
        RETURNING attempts
        """,
        row -> row.getInt(1),
        started.attemptId().value(),
        started.runId().value());
  }

  /** The run, its row locked for the rest of the transaction; empty when unknown. */
  public Optional<RunRow> lock(RunId runId) {
    return jdbc.first(
        "SELECT " + RUN_COLUMNS + " FROM runs r WHERE r.run_id = ? FOR UPDATE",
        RunStore::runRow,
        runId.value());
  }

  /** The run with its latest attempt, its row locked; empty when unknown. */
  public Optional<RunAndAttempt> lockWithCurrentAttempt(RunId runId) {
    return jdbc.first(
        "SELECT "
            + RUN_COLUMNS
            + ", r.current_attempt_id FROM runs r WHERE r.run_id = ? FOR UPDATE",
        RunStore::runAndAttempt,
        runId.value());
  }

  /** Gives the run of an attempt the attempt's end state. */
  public void endWithAttempt(AttemptId attemptId, String state) {
    jdbc.update(
        """
        UPDATE runs SET state = ?, updated_at = now()
        WHERE run_id = (SELECT run_id FROM attempts WHERE attempt_id = ?)
        """,
        state,
        attemptId.value());
  }

  /** Parks the run of a stopped attempt ({@code paused} or {@code cancelled}) and counts it. */
  public void parkWithStoppedAttempt(AttemptId attemptId, String reason) {
    jdbc.update(
        """
        UPDATE runs SET state = ?, stopped_attempts = stopped_attempts + 1, updated_at = now()
        WHERE run_id = (SELECT run_id FROM attempts WHERE attempt_id = ?)
        """,
        reason,
        attemptId.value());
  }

  /** Sets the run's state ({@code paused}, {@code cancelled}, {@code retry_pending}). */
  public void setState(RunId runId, String state) {
    jdbc.update(
        "UPDATE runs SET state = ?, updated_at = now() WHERE run_id = ?", state, runId.value());
  }

  /** Records what a completed run reported: chunks published (fetch) and messages. */
  public void recordCompletion(RunId runId, Integer chunks, long messages) {
    jdbc.update(
        "UPDATE runs SET chunks = ?, messages = ? WHERE run_id = ?",
        chunks,
        messages,
        runId.value());
  }

  /** Attempts of the run that a pause or cancel stopped (they do not use up the budget). */
  public int stoppedAttempts(RunId runId) {
    return jdbc.single(
        "SELECT stopped_attempts FROM runs WHERE run_id = ?", row -> row.getInt(1), runId.value());
  }

  /** Ends the run as exhausted with its last error. */
  public void exhaust(RunId runId, ErrorInfo lastError) {
    jdbc.update(
        """
        UPDATE runs SET state = 'exhausted', last_error_type = ?, last_error_message = ?,
                        updated_at = now()
        WHERE run_id = ?
        """,
        lastError == null ? null : lastError.type(),
        lastError == null ? null : lastError.message(),
        runId.value());
  }

  /** The job's fetch run as the roll-up reads it, its row locked; empty when unknown. */
  public Optional<FetchRunEnd> lockFetchRunEnd(JobId job) {
    return jdbc.first(
        """
        SELECT state, chunks, last_error_type, last_error_message
        FROM runs WHERE run_id = ? FOR UPDATE
        """,
        row ->
            new FetchRunEnd(
                row.getString("state"),
                Jdbc.nullableInt(row, "chunks"),
                row.getString("last_error_type"),
                row.getString("last_error_message")),
        RunId.fetch(job).value());
  }

  /**
   * How the extract runs of chunks 1..{@code chunks} of the job ended. A followed job's round
   * chunks continue its seqs after the history's: only the history's chunks complete the job.
   */
  public ExtractEnds extractEnds(JobId job, int chunks) {
    return jdbc.single(
        """
        SELECT count(*) FILTER (WHERE state = 'completed'),
               count(*) FILTER (WHERE state = 'exhausted'),
               coalesce(sum(messages) FILTER (WHERE state = 'completed'), 0)
        FROM runs WHERE job_id = ? AND lane = 'extract'
          AND split_part(run_id, ':', 3)::int <= ?
        """,
        row -> new ExtractEnds(row.getInt(1), row.getInt(2), row.getLong(3)),
        UUID.fromString(job.value()),
        chunks);
  }

  /** The job's extract runs parked by a pause with no running attempt, their rows locked. */
  public List<RunAndAttempt> lockPausedExtractRuns(JobId job, String tenantId) {
    return jdbc.list(
        "SELECT "
            + RUN_COLUMNS
            + """
            , r.current_attempt_id
            FROM runs r
            WHERE r.job_id = ? AND r.tenant_id = ? AND r.lane = 'extract'
              AND r.state = 'paused'
              AND NOT EXISTS (SELECT 1 FROM attempts a
                              WHERE a.run_id = r.run_id AND a.state = 'running')
            ORDER BY r.run_id
            FOR UPDATE OF r
            """,
        RunStore::runAndAttempt,
        UUID.fromString(job.value()),
        tenantId);
  }

  /**
   * The job's extract runs that had an attempt and ended without completing, their rows locked
   * (skipping those another transaction holds).
   */
  public List<RunAndAttempt> lockUnfinishedExtractRuns(JobId job) {
    return jdbc.list(
        "SELECT "
            + RUN_COLUMNS
            + """
            , r.current_attempt_id
            FROM runs r
            WHERE r.job_id = ? AND r.lane = 'extract'
              AND r.state NOT IN ('completed', 'exhausted')
              AND r.chunk_topic IS NOT NULL
            ORDER BY r.run_id
            FOR UPDATE OF r SKIP LOCKED
            """,
        RunStore::runAndAttempt,
        UUID.fromString(job.value()));
  }
}
