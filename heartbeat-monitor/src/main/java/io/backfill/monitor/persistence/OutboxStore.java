package io.backfill.monitor.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.backfill.contracts.event.Event;
import io.backfill.contracts.serde.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.Map;

/**
 * Writes events into the outbox inside the caller's transaction, so a ledger decision and the
 * events that announce it commit together or not at all. {@code OutboxRelay} publishes them.
 */
@ApplicationScoped
public class OutboxStore {

  private final EntityManager em;

  OutboxStore(EntityManager em) {
    this.em = em;
  }

  public void append(String topic, String key, Event event) {
    append(topic, key, event, Map.of());
  }

  public void append(String topic, String key, Event event, Map<String, String> headers) {
    em.createNativeQuery(
            "INSERT INTO outbox (topic, record_key, payload, headers)"
                + " VALUES (:topic, :key, :payload, :headers)")
        .setParameter("topic", topic)
        .setParameter("key", key)
        .setParameter("payload", EventJson.toJson(event))
        .setParameter("headers", headers.isEmpty() ? null : json(headers))
        .executeUpdate();
  }

  private static String json(Map<String, String> headers) {
    try {
      return EventJson.mapper().writeValueAsString(headers);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write outbox headers " + headers.keySet(), e);
    }
  }
}
