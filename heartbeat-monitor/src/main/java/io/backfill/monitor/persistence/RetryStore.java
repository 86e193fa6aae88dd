package io.backfill.monitor.persistence;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.RunId;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;

/**
 * {@code retries} as the retry policy and ingest write them: scheduled, cancelled when a new
 * attempt or a late stop answers the run. At most one is pending per run (the database refuses a
 * second). Callers own the transaction.
 */
@ApplicationScoped
public class RetryStore {

  private final Jdbc jdbc;

  RetryStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Whether a running attempt or a pending retry already answers the run. */
  public boolean isAnswered(RunId runId) {
    return jdbc.single(
        """
        SELECT EXISTS (SELECT 1 FROM attempts WHERE run_id = ? AND state = 'running')
            OR EXISTS (SELECT 1 FROM retries WHERE run_id = ? AND state = 'pending')
        """,
        row -> row.getBoolean(1),
        runId.value(),
        runId.value());
  }

  /** Schedules attempt {@code number} of the run, due after {@code delay}, as pending. */
  public void schedule(RunId runId, int number, UUID retryOf, Duration delay, String reason) {
    jdbc.update(
        """
        INSERT INTO retries (run_id, attempt_number, retry_of, due_at, reason, state)
        VALUES (?, ?, ?, now() + ? * interval '1 millisecond', ?, 'pending')
        """,
        runId.value(),
        number,
        retryOf,
        delay.toMillis(),
        reason);
  }

  /**
   * Cancels the run's pending retry: a new attempt started (Kafka redelivered the chunk, or the
   * executor resumed), so that attempt answers the run. Returns how many were cancelled.
   */
  public int cancelPending(RunId runId) {
    return jdbc.update(
        "UPDATE retries SET state = 'cancelled' WHERE run_id = ? AND state = 'pending'",
        runId.value());
  }

  /** Cancels the run's pending retry of {@code attemptId}; false when there was none. */
  public boolean cancelPendingRetryOf(RunId runId, AttemptId attemptId) {
    return jdbc.update(
            """
            UPDATE retries SET state = 'cancelled'
            WHERE run_id = ? AND state = 'pending' AND retry_of = ?
            """,
            runId.value(),
            attemptId.value())
        > 0;
  }
}
