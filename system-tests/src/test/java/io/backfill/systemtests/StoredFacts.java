package io.backfill.systemtests;

import io.backfill.stack.LocalStack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** What the services wrote to PostgreSQL: extracted data and the monitor's run ledger. */
final class StoredFacts {

  /** One attempt as the ledger recorded it. */
  record Attempt(
      String attemptId,
      String runId,
      String lane,
      String workerId,
      String state,
      Duration duration) {}

  private final LocalStack stack;

  StoredFacts(LocalStack stack) {
    this.stack = stack;
  }

  long documents(String tenant) {
    return count("SELECT count(*) FROM extraction.documents WHERE tenant_id = ?", tenant);
  }

  long mentions(String tenant) {
    return count("SELECT count(*) FROM extraction.mentions WHERE tenant_id = ?", tenant);
  }

  long entities(String tenant) {
    return count("SELECT count(*) FROM extraction.entities WHERE tenant_id = ?", tenant);
  }

  long relationships(String tenant) {
    return count("SELECT count(*) FROM extraction.relationships WHERE tenant_id = ?", tenant);
  }

  /** Mentions of the tenant's messages received in [from, to). */
  long mentions(String tenant, Instant from, Instant to) {
    return count(
        "SELECT count(*) FROM extraction.mentions m JOIN extraction.documents d"
            + " ON d.tenant_id = m.tenant_id AND d.message_id = m.message_id"
            + " WHERE m.tenant_id = ? AND d.received_at >= ? AND d.received_at < ?",
        tenant,
        from,
        to);
  }

  /** Relationships shown by the tenant's messages received in [from, to). */
  long relationships(String tenant, Instant from, Instant to) {
    return count(
        "SELECT count(*) FROM extraction.relationships x JOIN extraction.documents d"
            + " ON d.tenant_id = x.tenant_id AND d.message_id = x.message_id"
            + " WHERE x.tenant_id = ? AND d.received_at >= ? AND d.received_at < ?",
        tenant,
        from,
        to);
  }

  /** The Graph ids of the tenant's documents. */
  Set<String> documentIds(String tenant) {
    return strings("SELECT message_id FROM extraction.documents WHERE tenant_id = ?", tenant);
  }

  /** The stored subject of each of the tenant's documents, by Graph id. */
  Map<String, String> subjects(String tenant) {
    Map<String, String> subjects = new HashMap<>();
    String sql = "SELECT message_id, subject FROM extraction.documents WHERE tenant_id = ?";
    try (Connection db = stack.database();
        PreparedStatement query = db.prepareStatement(sql)) {
      query.setString(1, tenant);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          subjects.put(rows.getString(1), rows.getString(2));
        }
      }
      return subjects;
    } catch (SQLException e) {
      throw new IllegalStateException("Query failed: " + sql, e);
    }
  }

  /** Mentions and embeddings the tenant keeps of messages it has no document of. */
  long rowsOfMissingDocuments(String tenant, Set<String> messageIds) {
    String[] ids = messageIds.toArray(String[]::new);
    return count(
            "SELECT count(*) FROM extraction.mentions WHERE tenant_id = ? AND message_id = ANY (?)",
            tenant,
            ids)
        + count(
            "SELECT count(*) FROM extraction.embeddings WHERE tenant_id = ?"
                + " AND message_id = ANY (?)",
            tenant,
            ids)
        + count(
            "SELECT count(*) FROM extraction.documents WHERE tenant_id = ?"
                + " AND message_id = ANY (?)",
            tenant,
            ids);
  }

  /** Entities of the tenant that no document mentions any more. */
  long orphanedEntities(String tenant) {
    return count(
        "SELECT count(*) FROM extraction.entities e WHERE e.tenant_id = ? AND NOT EXISTS"
            + " (SELECT 1 FROM extraction.mentions m"
            + " WHERE m.tenant_id = e.tenant_id AND m.entity_key = e.entity_key)",
        tenant);
  }

  /** Documents among {@code messageIds} extracted more than once. */
  long reExtractedDocuments(String tenant, Set<String> messageIds) {
    return count(
        "SELECT count(*) FROM extraction.documents WHERE tenant_id = ? AND message_id = ANY (?)"
            + " AND extraction_count > 1",
        tenant,
        messageIds.toArray(String[]::new));
  }

  /** (message, entity) pairs recorded more than once. */
  long duplicateMentions(String tenant) {
    return count(
        "SELECT count(*) FROM (SELECT 1 FROM extraction.mentions WHERE tenant_id = ?"
            + " GROUP BY message_id, entity_key HAVING count(*) > 1) d",
        tenant);
  }

  /** Documents written more than once (a chunk extracted again): allowed, idempotent. */
  long reExtractedDocuments(String tenant) {
    return count(
        "SELECT count(*) FROM extraction.documents WHERE tenant_id = ? AND extraction_count > 1",
        tenant);
  }

  long retries(String jobId) {
    return count(
        "SELECT count(*) FROM monitor.retries x JOIN monitor.runs r USING (run_id)"
            + " WHERE r.job_id = ?",
        UUID.fromString(jobId));
  }

  /** Attempts of the job for which the ledger planned more than one retry. */
  long attemptsRetriedTwice(String jobId) {
    return count(
        "SELECT count(*) FROM (SELECT 1 FROM monitor.retries x JOIN monitor.runs r USING (run_id)"
            + " WHERE r.job_id = ? GROUP BY x.retry_of HAVING count(*) > 1) d",
        UUID.fromString(jobId));
  }

  List<Attempt> attempts(String jobId) {
    String sql =
        "SELECT a.attempt_id, a.run_id, r.lane, a.worker_id, a.state,"
            + " (extract(epoch FROM coalesce(a.ended_at, now()) - a.started_at) * 1000)::bigint"
            + " FROM monitor.attempts a"
            + " JOIN monitor.runs r USING (run_id) WHERE r.job_id = ? ORDER BY a.started_at";
    try (Connection db = stack.database();
        PreparedStatement query = db.prepareStatement(sql)) {
      query.setObject(1, UUID.fromString(jobId));
      List<Attempt> attempts = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          attempts.add(
              new Attempt(
                  rows.getString(1),
                  rows.getString(2),
                  rows.getString(3),
                  rows.getString(4),
                  rows.getString(5),
                  Duration.ofMillis(rows.getLong(6))));
        }
      }
      return attempts;
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read the ledger of job " + jobId, e);
    }
  }

  private Set<String> strings(String sql, String tenant) {
    try (Connection db = stack.database();
        PreparedStatement query = db.prepareStatement(sql)) {
      query.setString(1, tenant);
      Set<String> values = new HashSet<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          values.add(rows.getString(1));
        }
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException("Query failed: " + sql, e);
    }
  }

  private long count(String sql, Object... parameters) {
    try (Connection db = stack.database();
        PreparedStatement query = db.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        Object parameter = parameters[i];
        if (parameter instanceof Instant instant) {
          query.setObject(i + 1, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        } else if (parameter instanceof String[] texts) {
          query.setArray(i + 1, db.createArrayOf("text", texts));
        } else {
          query.setObject(i + 1, parameter);
        }
      }
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      // Before a service's first migration its schema does not exist yet.
      if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
        return 0;
      }
      throw new IllegalStateException("Query failed: " + sql, e);
    }
  }
}
