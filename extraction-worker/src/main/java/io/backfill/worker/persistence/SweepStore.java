package io.backfill.worker.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of folder sweeps (decision 0037): a sweep registered by the chunk that closes a folder's
 * range of chunks, applied once every chunk of the range is committed, to the documents of the
 * folder that the range did not see. Callers own the transaction.
 */
@ApplicationScoped
public class SweepStore {

  private final Jdbc jdbc;

  SweepStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** A sweep waiting for its range of chunks, or applied by this transaction. */
  public record Sweep(String folderId, int sinceSeq, int untilSeq) {}

  /** Registers a sweep; registering it again (the chunk replayed) changes nothing. */
  public void registerSweep(String tenantId, UUID jobId, Sweep sweep) {
    jdbc.run(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  """
                      INSERT INTO folder_sweeps (tenant_id, job_id, folder_id, since_seq, until_seq)
                      VALUES (?, ?, ?, ?, ?)
                      ON CONFLICT DO NOTHING
                      """)) {
            insert.setString(1, tenantId);
            insert.setObject(2, jobId);
            insert.setString(3, sweep.folderId());
            insert.setInt(4, sweep.sinceSeq());
            insert.setInt(5, sweep.untilSeq());
            insert.executeUpdate();
          }
        });
  }

  /** The job's pending sweeps whose range holds {@code seq}: the only ones its commit completes. */
  public List<Sweep> pendingSweepsCovering(UUID jobId, int seq) {
    return jdbc.call(
        connection -> {
          List<Sweep> sweeps = new ArrayList<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT folder_id, since_seq, until_seq FROM folder_sweeps"
                      + " WHERE job_id = ? AND applied_at IS NULL"
                      + " AND since_seq <= ? AND until_seq >= ? ORDER BY until_seq, folder_id")) {
            query.setObject(1, jobId);
            query.setInt(2, seq);
            query.setInt(3, seq);
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                sweeps.add(new Sweep(rs.getString(1), rs.getInt(2), rs.getInt(3)));
              }
            }
          }
          return sweeps;
        });
  }

  /** How many chunks of the job with seq in [since, until] are committed. */
  public int committedChunks(UUID jobId, int sinceSeq, int untilSeq) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT count(DISTINCT seq) FROM completed_runs"
                      + " WHERE job_id = ? AND seq BETWEEN ? AND ?")) {
            query.setObject(1, jobId);
            query.setInt(2, sinceSeq);
            query.setInt(3, untilSeq);
            try (ResultSet rs = query.executeQuery()) {
              rs.next();
              return rs.getInt(1);
            }
          }
        });
  }

  /** The live documents of the job in the folder last seen before {@code sinceSeq}. */
  public List<String> unseenSince(String tenantId, UUID jobId, String folderId, int sinceSeq) {
    return jdbc.call(
        connection -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT message_id FROM message_versions WHERE tenant_id = ? AND job_id = ?"
                      + " AND folder_id = ? AND seen_seq < ? ORDER BY message_id")) {
            query.setString(1, tenantId);
            query.setObject(2, jobId);
            query.setString(3, folderId);
            query.setInt(4, sinceSeq);
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getString(1));
              }
            }
          }
          return ids;
        });
  }

  public void markApplied(UUID jobId, Sweep sweep, int deleted) {
    jdbc.run(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE folder_sweeps SET applied_at = now(), deleted = ?"
                      + " WHERE job_id = ? AND folder_id = ? AND until_seq = ?")) {
            update.setInt(1, deleted);
            update.setObject(2, jobId);
            update.setString(3, sweep.folderId());
            update.setInt(4, sweep.untilSeq());
            update.executeUpdate();
          }
        });
  }

  /** Sweeps of every job still waiting for their range. */
  public long pendingSweeps() {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
                  connection.prepareStatement(
                      "SELECT count(*) FROM folder_sweeps WHERE applied_at IS NULL");
              ResultSet rs = query.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  public Optional<Integer> sweepDeleted(UUID jobId, String folderId, int untilSeq) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT deleted FROM folder_sweeps WHERE job_id = ? AND folder_id = ?"
                      + " AND until_seq = ? AND applied_at IS NOT NULL")) {
            query.setObject(1, jobId);
            query.setString(2, folderId);
            query.setInt(3, untilSeq);
            try (ResultSet rs = query.executeQuery()) {
              return rs.next() ? Optional.of(rs.getInt(1)) : Optional.<Integer>empty();
            }
          }
        });
  }
}
