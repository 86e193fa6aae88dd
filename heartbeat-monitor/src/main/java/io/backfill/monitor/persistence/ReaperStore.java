package io.backfill.monitor.persistence;

import io.backfill.contracts.event.Progress;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The reaper's statements: running attempts that stopped heartbeating, ran past their deadline or
 * stalled, and retries that are due, each batch locked with {@code SKIP LOCKED} so replicas share
 * the work and never judge the same attempt twice. Callers own the (new) transaction of a batch.
 */
@ApplicationScoped
public class ReaperStore {

  private static final String ATTEMPT_COLUMNS =
      """
      a.attempt_id, a.number, a.worker_id, a.build_sha, a.heartbeat_interval_ms,
      (extract(epoch FROM now() - a.last_heartbeat_at) * 1000)::bigint AS heartbeat_age_ms,
      (extract(epoch FROM now() - a.started_at) * 1000)::bigint AS attempt_age_ms,
      (extract(epoch FROM now() - a.progress_changed_at) * 1000)::bigint AS stalled_for_ms,
      a.progress_done, a.progress_total, a.progress_phase,
      """;

  private final Jdbc jdbc;

  ReaperStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** A duration in milliseconds for each lane. */
  public record PerLane(long fetchMs, long followMs, long extractMs) {}

  /** A running attempt the reaper judges, with its run and what the diagnosis reports. */
  public record JudgedAttempt(
      UUID attemptId,
      int number,
      String workerId,
      String buildSha,
      long heartbeatIntervalMs,
      long heartbeatAgeMs,
      long attemptAgeMs,
      long stalledForMs,
      Progress progress,
      RunRow run) {}

  /** A pending retry that is due; {@code runningAgain} when its run has a running attempt. */
  public record DueRetry(
      RunRow run, int attemptNumber, UUID retryOf, String reason, boolean runningAgain) {}

  private static JudgedAttempt judged(ResultSet row) throws SQLException {
    String phase = row.getString("progress_phase");
    return new JudgedAttempt(
        row.getObject("attempt_id", UUID.class),
        row.getInt("number"),
        row.getString("worker_id"),
        row.getString("build_sha"),
        row.getLong("heartbeat_interval_ms"),
        row.getLong("heartbeat_age_ms"),
        row.getLong("attempt_age_ms"),
        row.getLong("stalled_for_ms"),
        new Progress(
            row.getLong("progress_done"),
            Jdbc.nullableLong(row, "progress_total"),
            phase == null ? "starting" : phase),
        RunStore.runRow(row));
  }

  /**
   * One batch of dead attempts, locked: heartbeating attempts whose last heartbeat is older than
   * {@code max(lane floor, 3 × interval)}, and attempts older than their lane's deadline. The WHERE
   * clause is checked again on the locked row version, so a heartbeat that committed a moment ago
   * saves its attempt.
   *
   * <p>The first condition on {@code a} alone (older than the smallest floor, or than the smallest
   * deadline) is implied by the per-lane rule after it; it lets Postgres drop live attempts before
   * the join with runs instead of joining all running attempts.
   */
  public List<JudgedAttempt> lockDeadAttempts(PerLane staleFloors, PerLane deadlines, int batch) {
    long minFloorMs =
        Math.min(Math.min(staleFloors.fetchMs(), staleFloors.extractMs()), staleFloors.followMs());
    long minDeadlineMs =
        Math.min(Math.min(deadlines.fetchMs(), deadlines.extractMs()), deadlines.followMs());
    return jdbc.list(
        "SELECT "
            + ATTEMPT_COLUMNS
            + RunStore.RUN_COLUMNS
            + """

            FROM attempts a JOIN runs r ON r.run_id = a.run_id
            WHERE a.state = 'running'
              AND (a.last_heartbeat_at < now() - ? * interval '1 millisecond'
                OR a.started_at < now() - ? * interval '1 millisecond')
              AND ((a.heartbeat_interval_ms > 0
                    AND a.last_heartbeat_at < now() - GREATEST(
                          CASE r.lane WHEN 'fetch' THEN ?
                            WHEN 'follow' THEN ? ELSE ? END,
                          3 * a.heartbeat_interval_ms) * interval '1 millisecond')
                OR a.started_at < now()
                    - CASE r.lane WHEN 'fetch' THEN ?
                        WHEN 'follow' THEN ? ELSE ? END
                      * interval '1 millisecond')
            ORDER BY a.last_heartbeat_at
            LIMIT ?
            FOR UPDATE OF a, r SKIP LOCKED
            """,
        ReaperStore::judged,
        minFloorMs,
        minDeadlineMs,
        staleFloors.fetchMs(),
        staleFloors.followMs(),
        staleFloors.extractMs(),
        deadlines.fetchMs(),
        deadlines.followMs(),
        deadlines.extractMs(),
        batch);
  }

  /**
   * One batch of stalled attempts, locked: heartbeats arrive (at least one since the progress last
   * moved) but the progress stood still for the lane's stallAfter, and this stall was not reported
   * yet.
   */
  public List<JudgedAttempt> lockStalledAttempts(PerLane stallAfter, int batch) {
    return jdbc.list(
        "SELECT "
            + ATTEMPT_COLUMNS
            + RunStore.RUN_COLUMNS
            + """

            FROM attempts a JOIN runs r ON r.run_id = a.run_id
            WHERE a.state = 'running' AND a.heartbeat_interval_ms > 0
              AND a.last_heartbeat_at > a.progress_changed_at
              AND a.progress_changed_at < now()
                  - CASE r.lane WHEN 'fetch' THEN ?
                      WHEN 'follow' THEN ? ELSE ? END
                    * interval '1 millisecond'
              AND (a.stalled_at IS NULL OR a.stalled_at < a.progress_changed_at)
            LIMIT ?
            FOR UPDATE OF a, r SKIP LOCKED
            """,
        ReaperStore::judged,
        stallAfter.fetchMs(),
        stallAfter.followMs(),
        stallAfter.extractMs(),
        batch);
  }

  /** Ends the attempt as timed out by {@code rule}, with its diagnosis (JSON). */
  public void markTimedOut(UUID attemptId, String rule, String diagnosisJson) {
    jdbc.update(
        """
        UPDATE attempts SET state = 'timed_out', ended_at = now(), timeout_rule = ?,
                            timeout_diagnosis = ?
        WHERE attempt_id = ?
        """,
        rule,
        diagnosisJson,
        attemptId);
  }

  /** Marks the attempt's current stall as reported. */
  public void markStalled(UUID attemptId) {
    jdbc.update("UPDATE attempts SET stalled_at = now() WHERE attempt_id = ?", attemptId);
  }

  /** One batch of pending retries that are due, oldest first, locked with their runs. */
  public List<DueRetry> lockDueRetries(int batch) {
    return jdbc.list(
        "SELECT "
            + RunStore.RUN_COLUMNS
            + """
            ,
                   t.attempt_number, t.retry_of, t.reason,
                   EXISTS (SELECT 1 FROM attempts a
                           WHERE a.run_id = t.run_id AND a.state = 'running') AS running_again
            FROM retries t JOIN runs r ON r.run_id = t.run_id
            WHERE t.state = 'pending' AND t.due_at <= now()
            ORDER BY t.due_at
            LIMIT ?
            FOR UPDATE OF t, r SKIP LOCKED
            """,
        row ->
            new DueRetry(
                RunStore.runRow(row),
                row.getInt("attempt_number"),
                row.getObject("retry_of", UUID.class),
                row.getString("reason"),
                row.getBoolean("running_again")),
        batch);
  }

  /** Settles a due retry as {@code published} or {@code cancelled}. */
  public void settleRetry(String runId, int attemptNumber, String state) {
    jdbc.update(
        "UPDATE retries SET state = ? WHERE run_id = ? AND attempt_number = ?",
        state,
        runId,
        attemptNumber);
  }

  /** Attempts in the ledger by state. */
  public Map<String, Long> countAttemptsByState() {
    Map<String, Long> counts = new HashMap<>();
    jdbc.list(
            "SELECT state, count(*) FROM attempts GROUP BY state",
            row -> Map.entry(row.getString(1), row.getLong(2)))
        .forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
    return counts;
  }
}
