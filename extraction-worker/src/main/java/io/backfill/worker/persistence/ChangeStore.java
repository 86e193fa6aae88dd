package io.backfill.worker.persistence;

import io.backfill.contracts.event.MailMessage;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The SQL of mail changes (decision 0037): message versions (the seq a message was last seen in,
 * its folder and changeKey), removal tombstones, removing a document with everything derived from
 * it, orphaned entities, and the advisory locks that order a chunk's changes; folder sweeps are
 * {@link SweepStore}'s. Callers own the transaction.
 */
@ApplicationScoped
public class ChangeStore {

  private final Jdbc jdbc;

  ChangeStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** A live document's version: the job and chunk seq it was last seen in, folder, changeKey. */
  public record Version(UUID jobId, int seenSeq, String folderId, String changeKey) {}

  /** A message removed from {@code folderId} by chunk {@code seq} of {@code jobId}. */
  public record Tombstone(String folderId, UUID jobId, int seq) {}

  /**
   * Serialises the transactions that touch these messages of the tenant until they end: locks taken
   * in one order (by key) so two chunks cannot deadlock on them, and work for ids that have no row
   * yet (a message seen for the first time, a removal of an unknown message).
   */
  public void lockMessages(String tenantId, Collection<String> messageIds) {
    if (messageIds.isEmpty()) {
      return;
    }
    TreeSet<Long> keys = new TreeSet<>();
    messageIds.forEach(id -> keys.add(lockKey("message", tenantId, id)));
    advisoryLocks(keys.toArray(Long[]::new));
  }

  /** Serialises the sweep checks of a job's chunk commits (taken after the message locks). */
  public void lockJob(String tenantId, UUID jobId) {
    advisoryLocks(new Long[] {lockKey("job", tenantId, jobId.toString())});
  }

  private void advisoryLocks(Long[] keys) {
    jdbc.run(
        connection -> {
          // unnest yields the keys in array order, and the aggregate takes them one by one.
          try (PreparedStatement lock =
              connection.prepareStatement(
                  "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(?::bigint[]) k")) {
            lock.setArray(1, connection.createArrayOf("bigint", keys));
            lock.executeQuery().close();
          }
        });
  }

  static long lockKey(String space, String tenantId, String id) {
    UUID hash =
        UUID.nameUUIDFromBytes(
            (space + "\u0000" + tenantId + "\u0000" + id).getBytes(StandardCharsets.UTF_8));
    return hash.getMostSignificantBits() ^ hash.getLeastSignificantBits();
  }

  /** What is stored about some messages: live versions by id, and their removal tombstones. */
  public record Stored(Map<String, Version> versions, Map<String, List<Tombstone>> tombstones) {

    public List<Tombstone> tombstonesOf(String messageId) {
      return tombstones.getOrDefault(messageId, List.of());
    }
  }

  /**
   * The messages' versions and tombstones, read by one statement: one round trip, and both from the
   * same snapshot.
   */
  public Stored stored(String tenantId, Collection<String> messageIds) {
    Map<String, Version> versions = new HashMap<>();
    Map<String, List<Tombstone>> tombstones = new HashMap<>();
    if (messageIds.isEmpty()) {
      return new Stored(versions, tombstones);
    }
    jdbc.run(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  """
                      SELECT true, message_id, job_id, seen_seq, folder_id, change_key
                        FROM message_versions WHERE tenant_id = ? AND message_id = ANY(?)
                      UNION ALL
                      SELECT false, message_id, job_id, seq, folder_id, NULL
                        FROM message_removals WHERE tenant_id = ? AND message_id = ANY(?)
                      """)) {
            java.sql.Array ids = texts(connection, messageIds);
            query.setString(1, tenantId);
            query.setArray(2, ids);
            query.setString(3, tenantId);
            query.setArray(4, ids);
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                if (rs.getBoolean(1)) {
                  versions.put(rs.getString(2), version(rs, 3));
                } else {
                  tombstones
                      .computeIfAbsent(rs.getString(2), id -> new ArrayList<>())
                      .add(
                          new Tombstone(
                              rs.getString(5), rs.getObject(3, UUID.class), rs.getInt(4)));
                }
              }
            }
          }
        });
    return new Stored(versions, tombstones);
  }

  /** The entity keys that these messages mention now (candidates for orphans once they go). */
  public List<String> entitiesMentionedBy(String tenantId, Collection<String> messageIds) {
    List<String> keys = new ArrayList<>();
    if (messageIds.isEmpty()) {
      return keys;
    }
    jdbc.run(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT DISTINCT entity_key FROM mentions"
                      + " WHERE tenant_id = ? AND message_id = ANY(?)")) {
            query.setString(1, tenantId);
            query.setArray(2, texts(connection, messageIds));
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                keys.add(rs.getString(1));
              }
            }
          }
        });
    return keys;
  }

  /**
   * Removes what was extracted from these messages (mentions, relationships, embeddings); with
   * {@code documentsToo} the documents and their versions as well.
   */
  public void removeExtracted(
      String tenantId, Collection<String> messageIds, boolean documentsToo) {
    if (messageIds.isEmpty()) {
      return;
    }
    List<String> tables = new ArrayList<>(List.of("mentions", "relationships", "embeddings"));
    if (documentsToo) {
      tables.addAll(List.of("message_versions", "documents"));
    }
    jdbc.run(
        connection -> {
          for (String table : tables) {
            try (PreparedStatement delete =
                connection.prepareStatement(
                    "DELETE FROM " + table + " WHERE tenant_id = ? AND message_id = ANY(?)")) {
              delete.setString(1, tenantId);
              delete.setArray(2, texts(connection, messageIds));
              delete.executeUpdate();
            }
          }
        });
  }

  /**
   * Records the messages' versions as seen by this chunk (new, changed or unchanged): one
   * statement, a column per array parameter. Each message once (the last copy wins): one upsert may
   * not touch a row twice.
   */
  public void upsertVersions(String tenantId, UUID jobId, int seq, Collection<MailMessage> seen) {
    if (seen.isEmpty()) {
      return;
    }
    Map<String, MailMessage> byId = new LinkedHashMap<>();
    seen.forEach(m -> byId.put(m.id(), m));
    int n = byId.size();
    String[] ids = new String[n];
    String[] folders = new String[n];
    String[] changeKeys = new String[n];
    int i = 0;
    for (MailMessage message : byId.values()) {
      ids[i] = message.id();
      folders[i] = message.folderId();
      changeKeys[i] = message.changeKey();
      i++;
    }
    jdbc.run(
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  """
                      INSERT INTO message_versions (tenant_id, message_id, job_id, seen_seq,
                                                    folder_id, change_key)
                      SELECT ?::text, v.message_id, ?::uuid, ?::int, v.folder_id, v.change_key
                        FROM unnest(?::text[], ?::text[], ?::text[])
                          AS v(message_id, folder_id, change_key)
                      ON CONFLICT (tenant_id, message_id) DO UPDATE SET
                        job_id = EXCLUDED.job_id,
                        seen_seq = EXCLUDED.seen_seq,
                        folder_id = COALESCE(EXCLUDED.folder_id, message_versions.folder_id),
                        change_key = EXCLUDED.change_key,
                        seen_at = now()
                      """)) {
            upsert.setString(1, tenantId);
            upsert.setObject(2, jobId);
            upsert.setInt(3, seq);
            upsert.setArray(4, SqlArrays.texts(connection, ids));
            upsert.setArray(5, SqlArrays.texts(connection, folders));
            upsert.setArray(6, SqlArrays.texts(connection, changeKeys));
            upsert.executeUpdate();
          }
        });
  }

  /** Keeps a tombstone per (message, folder): the newest removal of the job wins. */
  public void recordTombstones(
      String tenantId, UUID jobId, int seq, Map<String, String> folderByMessage) {
    if (folderByMessage.isEmpty()) {
      return;
    }
    jdbc.run(
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  """
                      INSERT INTO message_removals (tenant_id, message_id, folder_id, job_id, seq)
                      VALUES (?, ?, ?, ?, ?)
                      ON CONFLICT (tenant_id, message_id, folder_id) DO UPDATE SET
                        job_id = EXCLUDED.job_id, seq = EXCLUDED.seq, removed_at = now()
                      WHERE message_removals.job_id <> EXCLUDED.job_id
                         OR message_removals.seq < EXCLUDED.seq
                      """)) {
            for (Map.Entry<String, String> removal : folderByMessage.entrySet()) {
              upsert.setString(1, tenantId);
              upsert.setString(2, removal.getKey());
              upsert.setString(3, removal.getValue());
              upsert.setObject(4, jobId);
              upsert.setInt(5, seq);
              upsert.addBatch();
            }
            upsert.executeBatch();
          }
        });
  }

  /**
   * Removes the entities among {@code candidates} that no mention names any more, with their
   * relationships. The candidates are locked first (FOR UPDATE, in key order): a transaction adding
   * a mention of one of them holds it (its upsert, or its mention's foreign-key check) until it
   * commits, so the check that follows — a new statement, a new snapshot — sees that mention and
   * keeps the entity; one that comes later waits for this commit and inserts the entity again.
   *
   * @return how many entities were removed
   */
  public int removeOrphans(String tenantId, Collection<String> candidates) {
    if (candidates.isEmpty()) {
      return 0;
    }
    String[] keys = new TreeSet<>(candidates).toArray(String[]::new);
    return jdbc.call(
        connection -> {
          try (PreparedStatement lock =
              connection.prepareStatement(
                  "SELECT entity_key FROM entities WHERE tenant_id = ? AND entity_key = ANY(?)"
                      + " ORDER BY entity_key FOR UPDATE")) {
            lock.setString(1, tenantId);
            lock.setArray(2, connection.createArrayOf("text", keys));
            lock.executeQuery().close();
          }
          try (PreparedStatement relationships =
              connection.prepareStatement(
                  """
                      DELETE FROM relationships r
                       WHERE r.tenant_id = ?
                         AND (r.source_key = ANY(?) OR r.target_key = ANY(?))
                         AND (NOT EXISTS (SELECT 1 FROM mentions m WHERE m.tenant_id = r.tenant_id
                                            AND m.entity_key = r.source_key)
                              OR NOT EXISTS (SELECT 1 FROM mentions m
                                              WHERE m.tenant_id = r.tenant_id
                                                AND m.entity_key = r.target_key))
                      """)) {
            relationships.setString(1, tenantId);
            relationships.setArray(2, connection.createArrayOf("text", keys));
            relationships.setArray(3, connection.createArrayOf("text", keys));
            relationships.executeUpdate();
          }
          try (PreparedStatement entities =
              connection.prepareStatement(
                  """
                      DELETE FROM entities e
                       WHERE e.tenant_id = ? AND e.entity_key = ANY(?)
                         AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.tenant_id = e.tenant_id
                                           AND m.entity_key = e.entity_key)
                      """)) {
            entities.setString(1, tenantId);
            entities.setArray(2, connection.createArrayOf("text", keys));
            return entities.executeUpdate();
          }
        });
  }

  /** The documents of the tenant that are live, by message id, with their version (for tests). */
  public Map<String, Version> liveVersions(String tenantId) {
    return jdbc.call(
        connection -> {
          Map<String, Version> rows = new HashMap<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT v.message_id, v.job_id, v.seen_seq, v.folder_id, v.change_key"
                      + " FROM message_versions v JOIN documents d"
                      + " ON d.tenant_id = v.tenant_id AND d.message_id = v.message_id"
                      + " WHERE v.tenant_id = ?")) {
            query.setString(1, tenantId);
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                rows.put(rs.getString(1), version(rs, 2));
              }
            }
          }
          return rows;
        });
  }

  private static java.sql.Array texts(Connection connection, Collection<String> values)
      throws SQLException {
    return connection.createArrayOf("text", values.toArray(String[]::new));
  }

  /** The version in four columns from {@code first}: job id, seen seq, folder id, change key. */
  private static Version version(ResultSet rs, int first) throws SQLException {
    return new Version(
        rs.getObject(first, UUID.class),
        rs.getInt(first + 1),
        rs.getString(first + 2),
        rs.getString(first + 3));
  }
}
