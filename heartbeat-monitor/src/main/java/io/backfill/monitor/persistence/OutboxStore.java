package io.backfill.monitor.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.backfill.contracts.event.Event;
import io.backfill.contracts.serde.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/**
 * {@code outbox}: events written inside the caller's transaction, so a ledger decision and the
 * events that announce it commit together or not at all; read, locked and deleted by {@code
 * OutboxRelay}, which publishes them.
 */
@ApplicationScoped
public class OutboxStore {

  /** Any fixed number shared by all monitor replicas: the relay's advisory lock. */
  private static final long RELAY_LOCK = 0x6f7574626f78L;

  private final Jdbc jdbc;

  OutboxStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** One row waiting to be published; {@code headers} is a JSON object or null. */
  public record OutboxRow(long id, String topic, String key, String payload, String headers) {}

  public void append(String topic, String key, Event event) {
    append(topic, key, event, Map.of());
  }

  public void append(String topic, String key, Event event, Map<String, String> headers) {
    jdbc.update(
        "INSERT INTO outbox (topic, record_key, payload, headers) VALUES (?, ?, ?, ?)",
        topic,
        key,
        EventJson.toJson(event),
        headers.isEmpty() ? null : json(headers));
  }

  /**
   * Takes the relay's transaction-scoped lock, so one relay among the replicas publishes at a time;
   * false when another holds it.
   */
  public boolean tryRelayLock() {
    return jdbc.single("SELECT pg_try_advisory_xact_lock(?)", row -> row.getBoolean(1), RELAY_LOCK);
  }

  /** The oldest rows in id order, locked for the rest of the transaction. */
  public List<OutboxRow> lockOldest(int batch) {
    return jdbc.list(
        """
        SELECT id, topic, record_key, payload, headers FROM outbox
        ORDER BY id
        LIMIT ?
        FOR UPDATE SKIP LOCKED
        """,
        row ->
            new OutboxRow(
                row.getLong("id"),
                row.getString("topic"),
                row.getString("record_key"),
                row.getString("payload"),
                row.getString("headers")),
        batch);
  }

  /** Deletes published rows. */
  public void delete(List<Long> ids) {
    jdbc.update("DELETE FROM outbox WHERE id = ANY (?)", (Object) ids.toArray(new Long[0]));
  }

  /** Rows waiting to be published. */
  public long backlog() {
    return jdbc.single("SELECT count(*) FROM outbox", row -> row.getLong(1));
  }

  private static String json(Map<String, String> headers) {
    try {
      return EventJson.mapper().writeValueAsString(headers);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write outbox headers " + headers.keySet(), e);
    }
  }
}
