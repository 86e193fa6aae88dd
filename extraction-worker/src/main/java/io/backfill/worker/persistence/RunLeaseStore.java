package io.backfill.worker.persistence;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.RunId;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Fencing tokens of extract runs: one lease row per run. An attempt takes the lease when it starts
 * (a token from a sequence, so a newer attempt always holds a larger one) and its write transaction
 * locks the row and compares tokens right before the commit. Callers own the transaction.
 */
@ApplicationScoped
public class RunLeaseStore {

  private final Jdbc jdbc;

  RunLeaseStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Takes the run's lease for the attempt, replacing any older holder; returns its token. */
  public long take(RunId runId, AttemptId attemptId, Duration lockTimeout) {
    return jdbc.call(
        connection -> {
          setLockTimeout(connection, lockTimeout);
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  """
                      INSERT INTO run_leases (run_id, token, attempt_id, taken_at)
                      VALUES (?, nextval('run_lease_tokens'), ?, now())
                      ON CONFLICT (run_id) DO UPDATE
                        SET token = EXCLUDED.token, attempt_id = EXCLUDED.attempt_id,
                            taken_at = EXCLUDED.taken_at
                      RETURNING token
                      """)) {
            upsert.setString(1, runId.value());
            upsert.setObject(2, attemptId.value());
            try (ResultSet rs = upsert.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  /**
   * Locks the run's lease row until the end of the transaction and returns the token that holds it
   * now (empty when no attempt took it). The lock is short: the caller takes it last, right before
   * its commit, so a newer attempt taking the lease waits at most that long.
   */
  public OptionalLong lockCurrentToken(RunId runId, Duration lockTimeout) {
    return jdbc.call(
        connection -> {
          setLockTimeout(connection, lockTimeout);
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT token FROM run_leases WHERE run_id = ? FOR UPDATE")) {
            query.setString(1, runId.value());
            try (ResultSet rs = query.executeQuery()) {
              return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
          }
        });
  }

  /**
   * The attempt that started the run here, if any did: the lease's holder, or the attempt that
   * committed it (runs completed before leases existed have no lease row).
   */
  public Optional<AttemptId> startedBy(RunId runId) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  """
                      SELECT attempt_id FROM run_leases WHERE run_id = ?
                      UNION ALL
                      SELECT attempt_id FROM completed_runs WHERE run_id = ?
                      LIMIT 1
                      """)) {
            query.setString(1, runId.value());
            query.setString(2, runId.value());
            try (ResultSet rs = query.executeQuery()) {
              return rs.next()
                  ? Optional.of(new AttemptId(rs.getObject(1, java.util.UUID.class)))
                  : Optional.<AttemptId>empty();
            }
          }
        });
  }

  private static void setLockTimeout(Connection connection, Duration timeout) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      // SET LOCAL: only this transaction; the pooled connection keeps its default afterwards.
      statement.execute("SET LOCAL lock_timeout = " + Math.max(1, timeout.toMillis()));
    }
  }
}
