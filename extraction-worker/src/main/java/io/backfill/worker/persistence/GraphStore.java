package io.backfill.worker.persistence;

import io.backfill.worker.domain.ExtractedGraph;
import io.backfill.worker.domain.ExtractedGraph.Entity;
import io.backfill.worker.domain.ExtractedGraph.Mention;
import io.backfill.worker.domain.ExtractedGraph.Relationship;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The SQL of entities, mentions and relationships. Callers own the transaction. Every statement is
 * an upsert on the natural key, so writing the same graph again changes nothing.
 */
@ApplicationScoped
public class GraphStore {

  private final Jdbc jdbc;

  GraphStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Entities, mentions and relationships, one statement per table whatever their number: each
   * column goes as one array parameter and unnest turns them back into rows, in array order.
   */
  public void upsert(String tenantId, ExtractedGraph graph) {
    // Keys in one order for every chunk: two chunks of a tenant that share entities then lock
    // those rows in the same order and cannot deadlock each other.
    List<Entity> entities =
        graph.entities().stream().sorted(Comparator.comparing(Entity::key)).toList();
    List<Mention> mentions = distinct(graph.mentions());
    List<Relationship> relationships =
        graph.relationships().stream()
            .sorted(
                Comparator.comparing(Relationship::sourceKey)
                    .thenComparing(Relationship::type)
                    .thenComparing(Relationship::targetKey)
                    .thenComparing(Relationship::messageId))
            .toList();
    if (entities.isEmpty() && mentions.isEmpty() && relationships.isEmpty()) {
      return;
    }
    jdbc.run(
        connection -> {
          if (!entities.isEmpty()) {
            upsertEntities(connection, tenantId, entities);
          }
          if (!mentions.isEmpty()) {
            upsertMentions(connection, tenantId, mentions);
          }
          if (!relationships.isEmpty()) {
            insertRelationships(connection, tenantId, relationships);
          }
        });
  }

  /**
   * Entities: new ones are inserted; existing ones are left as they are unless this chunk names one
   * differently. Existing rows are only share-locked ({@code FOR KEY SHARE}, in key order), so
   * chunks that mention the same entities (the mailbox's owner, a day, an organisation: nearly
   * every chunk) do not wait for each other's commits, as an update of every row made them do. The
   * share lock still holds off an orphan removal ({@code FOR UPDATE}, ChangeStore) until this
   * transaction commits, and a row that such a removal deleted in between is inserted again.
   */
  private static void upsertEntities(Connection connection, String tenantId, List<Entity> rows)
      throws SQLException {
    Map<String, String> storedNames = new HashMap<>();
    List<Entity> absent = rows;
    for (int round = 1; !absent.isEmpty(); round++) {
      if (round > MAX_INSERT_ROUNDS) {
        // Removed again each time: let the whole transaction run again.
        throw new SQLException(
            absent.size() + " entities were removed while this chunk added them", "40001");
      }
      writeEntities(connection, tenantId, absent, false);
      storedNames.putAll(shareLock(connection, tenantId, absent));
      absent = absent.stream().filter(e -> !storedNames.containsKey(e.key())).toList();
    }
    List<Entity> renamed =
        rows.stream()
            .filter(e -> e.name() != null && !e.name().equals(storedNames.get(e.key())))
            .toList();
    if (!renamed.isEmpty()) {
      writeEntities(connection, tenantId, renamed, true);
    }
  }

  /** Rounds of inserting entities that a concurrent orphan removal deletes again, at most. */
  private static final int MAX_INSERT_ROUNDS = 3;

  /**
   * Inserts {@code rows} (in their key order) that are not stored yet; with {@code rename}, a
   * stored row takes the row's name instead (only rows whose name changes come here).
   */
  private static void writeEntities(
      Connection connection, String tenantId, List<Entity> rows, boolean rename)
      throws SQLException {
    int n = rows.size();
    String[] keys = new String[n];
    String[] kinds = new String[n];
    String[] names = new String[n];
    String[] addresses = new String[n];
    for (int i = 0; i < n; i++) {
      Entity e = rows.get(i);
      keys[i] = e.key();
      kinds[i] = e.kind();
      names[i] = e.name();
      addresses[i] = e.address();
    }
    try (PreparedStatement entity =
        connection.prepareStatement(
            """
                INSERT INTO entities (tenant_id, entity_key, kind, name, address)
                SELECT ?::text, e.entity_key, e.kind, e.name, e.address
                  FROM unnest(?::text[], ?::text[], ?::text[], ?::text[])
                    AS e(entity_key, kind, name, address)
                ON CONFLICT (tenant_id, entity_key) DO\s"""
                + (rename ? "UPDATE SET name = EXCLUDED.name" : "NOTHING"))) {
      entity.setString(1, tenantId);
      entity.setArray(2, SqlArrays.texts(connection, keys));
      entity.setArray(3, SqlArrays.texts(connection, kinds));
      entity.setArray(4, SqlArrays.texts(connection, names));
      entity.setArray(5, SqlArrays.texts(connection, addresses));
      entity.executeUpdate();
    }
  }

  /** Share-locks the stored rows of {@code rows} in key order; their names by key. */
  private static Map<String, String> shareLock(
      Connection connection, String tenantId, List<Entity> rows) throws SQLException {
    String[] keys = rows.stream().map(Entity::key).toArray(String[]::new);
    Map<String, String> names = new HashMap<>();
    try (PreparedStatement lock =
        connection.prepareStatement(
            "SELECT entity_key, name FROM entities WHERE tenant_id = ? AND entity_key = ANY(?)"
                + " ORDER BY entity_key FOR KEY SHARE")) {
      lock.setString(1, tenantId);
      lock.setArray(2, SqlArrays.texts(connection, keys));
      try (ResultSet stored = lock.executeQuery()) {
        while (stored.next()) {
          names.put(stored.getString(1), stored.getString(2));
        }
      }
    }
    return names;
  }

  private static void upsertMentions(Connection connection, String tenantId, List<Mention> rows)
      throws SQLException {
    int n = rows.size();
    String[] messageIds = new String[n];
    String[] keys = new String[n];
    String[] roles = new String[n];
    for (int i = 0; i < n; i++) {
      Mention m = rows.get(i);
      messageIds[i] = m.messageId();
      keys[i] = m.entityKey();
      roles[i] = SqlArrays.arrayLiteral(m.roles());
    }
    try (PreparedStatement mention =
        connection.prepareStatement(
            """
                INSERT INTO mentions (tenant_id, message_id, entity_key, roles)
                SELECT ?::text, m.message_id, m.entity_key, m.roles::text[]
                  FROM unnest(?::text[], ?::text[], ?::text[]) AS m(message_id, entity_key, roles)
                ON CONFLICT (tenant_id, message_id, entity_key) DO UPDATE SET
                  roles = EXCLUDED.roles
                """)) {
      mention.setString(1, tenantId);
      mention.setArray(2, SqlArrays.texts(connection, messageIds));
      mention.setArray(3, SqlArrays.texts(connection, keys));
      mention.setArray(4, SqlArrays.texts(connection, roles));
      mention.executeUpdate();
    }
  }

  private static void insertRelationships(
      Connection connection, String tenantId, List<Relationship> rows) throws SQLException {
    int n = rows.size();
    String[] sources = new String[n];
    String[] types = new String[n];
    String[] targets = new String[n];
    String[] messageIds = new String[n];
    for (int i = 0; i < n; i++) {
      Relationship r = rows.get(i);
      sources[i] = r.sourceKey();
      types[i] = r.type();
      targets[i] = r.targetKey();
      messageIds[i] = r.messageId();
    }
    try (PreparedStatement relationship =
        connection.prepareStatement(
            """
                INSERT INTO relationships (tenant_id, source_key, type, target_key, message_id)
                SELECT ?::text, r.source_key, r.type, r.target_key, r.message_id
                  FROM unnest(?::text[], ?::text[], ?::text[], ?::text[])
                    AS r(source_key, type, target_key, message_id)
                ON CONFLICT DO NOTHING
                """)) {
      relationship.setString(1, tenantId);
      relationship.setArray(2, SqlArrays.texts(connection, sources));
      relationship.setArray(3, SqlArrays.texts(connection, types));
      relationship.setArray(4, SqlArrays.texts(connection, targets));
      relationship.setArray(5, SqlArrays.texts(connection, messageIds));
      relationship.executeUpdate();
    }
  }

  /**
   * Mentions in key order, each (message, entity) once with the union of its roles: a message that
   * came twice in one chunk must not make one multi-row upsert touch a row twice.
   */
  static List<Mention> distinct(List<Mention> mentions) {
    Map<String, Mention> byKey = new TreeMap<>();
    for (Mention m : mentions) {
      byKey.merge(
          m.messageId() + "\u0000" + m.entityKey(),
          m,
          (a, b) -> {
            Set<String> roles = new TreeSet<>(a.roles());
            roles.addAll(b.roles());
            return new Mention(a.messageId(), a.entityKey(), List.copyOf(roles));
          });
    }
    return new ArrayList<>(byKey.values());
  }

  /** A tenant's entities, by key. */
  public List<Entity> entitiesOf(String tenantId) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT entity_key, kind, name, address FROM entities"
                      + " WHERE tenant_id = ? ORDER BY entity_key")) {
            query.setString(1, tenantId);
            List<Entity> rows = new ArrayList<>();
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                rows.add(
                    new Entity(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
              }
            }
            return rows;
          }
        });
  }

  /** A tenant's relationships, ordered by their key. */
  public List<Relationship> relationshipsOf(String tenantId) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT source_key, type, target_key, message_id FROM relationships"
                      + " WHERE tenant_id = ? ORDER BY source_key, type, target_key, message_id")) {
            query.setString(1, tenantId);
            List<Relationship> rows = new ArrayList<>();
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                rows.add(
                    new Relationship(
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
              }
            }
            return rows;
          }
        });
  }

  /** A tenant's mentions, ordered by message and entity. */
  public List<Mention> mentionsOf(String tenantId) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT message_id, entity_key, roles FROM mentions"
                      + " WHERE tenant_id = ? ORDER BY message_id, entity_key")) {
            query.setString(1, tenantId);
            List<Mention> rows = new ArrayList<>();
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                String[] roles = (String[]) rs.getArray(3).getArray();
                rows.add(new Mention(rs.getString(1), rs.getString(2), List.of(roles)));
              }
            }
            return rows;
          }
        });
  }
}
