package io.backfill.worker.persistence;

import io.backfill.worker.domain.ExtractedGraph;
import io.backfill.worker.domain.ExtractedGraph.Entity;
import io.backfill.worker.domain.ExtractedGraph.Mention;
import io.backfill.worker.domain.ExtractedGraph.Relationship;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The SQL of entities, mentions and relationships. Callers own the transaction. Every statement is
 * an upsert on the natural key, so writing the same graph again changes nothing but timestamps.
 */
@ApplicationScoped
public class GraphStore {

  private final Jdbc jdbc;

  GraphStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  public void upsert(String tenantId, ExtractedGraph graph) {
    jdbc.run(
        connection -> {
          try (PreparedStatement entity =
              connection.prepareStatement(
                  """
                      INSERT INTO entities (tenant_id, entity_key, kind, name, address)
                      VALUES (?, ?, ?, ?, ?)
                      ON CONFLICT (tenant_id, entity_key) DO UPDATE SET
                        name = COALESCE(EXCLUDED.name, entities.name),
                        last_seen_at = now()
                      """)) {
            // Keys in one order for every chunk: two chunks of a tenant that share entities
            // then lock those rows in the same order and cannot deadlock each other.
            List<Entity> entities =
                graph.entities().stream().sorted(Comparator.comparing(Entity::key)).toList();
            for (Entity e : entities) {
              entity.setString(1, tenantId);
              entity.setString(2, e.key());
              entity.setString(3, e.kind());
              entity.setString(4, e.name());
              entity.setString(5, e.address());
              entity.addBatch();
            }
            entity.executeBatch();
          }
          try (PreparedStatement mention =
              connection.prepareStatement(
                  """
                      INSERT INTO mentions (tenant_id, message_id, entity_key, roles)
                      VALUES (?, ?, ?, ?)
                      ON CONFLICT (tenant_id, message_id, entity_key) DO UPDATE SET
                        roles = EXCLUDED.roles
                      """)) {
            for (Mention m : distinct(graph.mentions())) {
              mention.setString(1, tenantId);
              mention.setString(2, m.messageId());
              mention.setString(3, m.entityKey());
              Array roles = connection.createArrayOf("text", m.roles().toArray());
              mention.setArray(4, roles);
              mention.addBatch();
            }
            mention.executeBatch();
          }
          try (PreparedStatement relationship =
              connection.prepareStatement(
                  """
                      INSERT INTO relationships (tenant_id, source_key, type, target_key, message_id)
                      VALUES (?, ?, ?, ?, ?)
                      ON CONFLICT DO NOTHING
                      """)) {
            List<Relationship> relationships =
                graph.relationships().stream()
                    .sorted(
                        Comparator.comparing(Relationship::sourceKey)
                            .thenComparing(Relationship::type)
                            .thenComparing(Relationship::targetKey)
                            .thenComparing(Relationship::messageId))
                    .toList();
            for (Relationship r : relationships) {
              relationship.setString(1, tenantId);
              relationship.setString(2, r.sourceKey());
              relationship.setString(3, r.type());
              relationship.setString(4, r.targetKey());
              relationship.setString(5, r.messageId());
              relationship.addBatch();
            }
            relationship.executeBatch();
          }
        });
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
