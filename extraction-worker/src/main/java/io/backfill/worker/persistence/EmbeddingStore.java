package io.backfill.worker.persistence;

import io.backfill.worker.embedding.MessageEmbedder;
import io.backfill.worker.embedding.MessageEmbedder.MessageEmbedding;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The embeddings' SQL. Callers own the transaction. Keyed by (tenant, message, model). */
@ApplicationScoped
public class EmbeddingStore {

  private final Jdbc jdbc;

  EmbeddingStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  public void upsert(String tenantId, List<MessageEmbedding> embeddings) {
    if (embeddings.isEmpty()) {
      return;
    }
    jdbc.run(
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  """
                      INSERT INTO embeddings (tenant_id, message_id, model, model_version,
                                              dimensions, vector)
                      VALUES (?, ?, ?, ?, ?, ?)
                      ON CONFLICT (tenant_id, message_id, model) DO UPDATE SET
                        model_version = EXCLUDED.model_version,
                        dimensions = EXCLUDED.dimensions,
                        vector = EXCLUDED.vector,
                        embedded_at = now()
                      """)) {
            // Each message once (the last wins): one multi-row upsert may not touch a row
            // twice.
            Map<String, MessageEmbedding> byMessage = new LinkedHashMap<>();
            embeddings.forEach(e -> byMessage.put(e.messageId(), e));
            for (MessageEmbedding embedding : byMessage.values()) {
              Float[] vector = new Float[embedding.vector().length];
              for (int i = 0; i < vector.length; i++) {
                vector[i] = embedding.vector()[i];
              }
              upsert.setString(1, tenantId);
              upsert.setString(2, embedding.messageId());
              upsert.setString(3, MessageEmbedder.MODEL);
              upsert.setString(4, MessageEmbedder.MODEL_VERSION);
              upsert.setInt(5, vector.length);
              upsert.setArray(6, connection.createArrayOf("float4", vector));
              upsert.addBatch();
            }
            upsert.executeBatch();
          }
        });
  }

  /** A tenant's stored vectors, by message id. */
  public List<MessageEmbedding> embeddingsOf(String tenantId) {
    return jdbc.call(
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT message_id, vector::real[] FROM embeddings WHERE tenant_id = ?"
                      + " ORDER BY message_id")) {
            query.setString(1, tenantId);
            List<MessageEmbedding> rows = new ArrayList<>();
            try (ResultSet rs = query.executeQuery()) {
              while (rs.next()) {
                Float[] stored = (Float[]) rs.getArray(2).getArray();
                float[] vector = new float[stored.length];
                for (int i = 0; i < stored.length; i++) {
                  vector[i] = stored[i];
                }
                rows.add(new MessageEmbedding(rs.getString(1), vector));
              }
            }
            return rows;
          }
        });
  }
}
