package io.backfill.worker.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** The stop state of jobs, as job.events last said it. Callers own the transaction. */
@ApplicationScoped
public class JobStopStore {

  private final Jdbc jdbc;

  JobStopStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** A job's state (paused, cancelled, resumed) and the job.events offset that set it. */
  public record StopState(String state, long offset) {}

  /** Records the state unless the row holds a newer event of the job (a larger offset). */
  public void record(String tenantId, String jobId, String state, long offset, Instant occurredAt) {
    jdbc.run(
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  """
                      INSERT INTO job_stop_states (tenant_id, job_id, state, event_offset,
                                                   occurred_at)
                      VALUES (?, ?, ?, ?, ?)
                      ON CONFLICT (tenant_id, job_id) DO UPDATE
                        SET state = EXCLUDED.state, event_offset = EXCLUDED.event_offset,
                            occurred_at = EXCLUDED.occurred_at, recorded_at = now()
                        WHERE job_stop_states.event_offset < EXCLUDED.event_offset
                      """)) {
            upsert.setString(1, tenantId);
            upsert.setString(2, jobId);
            upsert.setString(3, state);
            upsert.setLong(4, offset);
            upsert.setTimestamp(5, Timestamp.from(occurredAt));
            upsert.executeUpdate();
          }
        });
  }

  public Optional<StopState> find(String tenantId, String jobId) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT state, event_offset FROM job_stop_states"
                      + " WHERE tenant_id = ? AND job_id = ?")) {
            query.setString(1, tenantId);
            query.setString(2, jobId);
            try (ResultSet rs = query.executeQuery()) {
              return rs.next()
                  ? Optional.of(new StopState(rs.getString(1), rs.getLong(2)))
                  : Optional.<StopState>empty();
            }
          }
        });
  }
}
