package io.backfill.worker.persistence;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.RunId;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** The extract runs this worker committed. Callers own the transaction. */
@ApplicationScoped
public class CompletedRunStore {

  private final Jdbc jdbc;

  CompletedRunStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** A completed run: the attempt that committed it and what it wrote. */
  public record CompletedRun(
      String runId, AttemptId attemptId, int messages, int entities, int relationships) {}

  /**
   * Records the run as completed by this attempt. A run recorded already keeps its first row: two
   * attempts that both committed wrote the same rows.
   */
  public void record(
      String tenantId,
      RunId runId,
      AttemptId attemptId,
      int messages,
      int entities,
      int relationships) {
    jdbc.run(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  """
                      INSERT INTO completed_runs (run_id, tenant_id, attempt_id, messages, entities,
                                                  relationships, job_id, seq)
                      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                      ON CONFLICT (run_id) DO NOTHING
                      """)) {
            insert.setString(1, runId.value());
            insert.setString(2, tenantId);
            insert.setObject(3, attemptId.value());
            insert.setInt(4, messages);
            insert.setInt(5, entities);
            insert.setInt(6, relationships);
            insert.setObject(7, java.util.UUID.fromString(runId.jobId().value()));
            insert.setObject(8, runId.seq());
            insert.executeUpdate();
          }
        });
  }

  public Optional<CompletedRun> find(RunId runId) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT run_id, attempt_id, messages, entities, relationships"
                      + " FROM completed_runs WHERE run_id = ?")) {
            query.setString(1, runId.value());
            try (ResultSet rs = query.executeQuery()) {
              if (!rs.next()) {
                return Optional.<CompletedRun>empty();
              }
              return Optional.of(
                  new CompletedRun(
                      rs.getString(1),
                      new AttemptId(rs.getObject(2, java.util.UUID.class)),
                      rs.getInt(3),
                      rs.getInt(4),
                      rs.getInt(5)));
            }
          }
        });
  }
}
