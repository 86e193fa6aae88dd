package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.UUID;

/**
 * Events waiting to be published (table {@code outbox}): stored in the transaction that decided
 * them, deleted once the broker acknowledged them. Callers own the transaction.
 */
@ApplicationScoped
public class OutboxStore {

  /** An event to store: its JSON and the ids it is logged with. */
  public record NewRow(
      String topic,
      String recordKey,
      String payload,
      UUID eventId,
      String eventType,
      String tenantId,
      UUID jobId) {}

  /**
   * A stored row, locked by this transaction; {@code firstOfKey} is the id of the oldest stored row
   * of its (topic, key), locked or not.
   */
  public record LockedRow(
      long id,
      String topic,
      String recordKey,
      String payload,
      UUID eventId,
      String eventType,
      String tenantId,
      UUID jobId,
      int attempts,
      long firstOfKey) {}

  /** How many rows wait, and the age of the oldest in seconds (0 when none does). */
  public record Backlog(long pending, double oldestAgeSeconds) {}

  private final EntityManager em;

  OutboxStore(EntityManager em) {
    this.em = em;
  }

  public void append(NewRow row) {
    em.createNativeQuery(
            "INSERT INTO outbox (topic, record_key, payload, event_id, event_type, tenant_id,"
                + " job_id) VALUES (:topic, :key, :payload, :event, :type, :tenant, :job)")
        .setParameter("topic", row.topic())
        .setParameter("key", row.recordKey())
        .setParameter("payload", row.payload())
        .setParameter("event", row.eventId())
        .setParameter("type", row.eventType())
        .setParameter("tenant", row.tenantId())
        .setParameter("job", row.jobId())
        .executeUpdate();
  }

  /**
   * Locks up to {@code limit} stored rows in id order until the transaction ends, skipping rows
   * another transaction holds.
   */
  public List<LockedRow> lockOldest(int limit) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "SELECT o.id, o.topic, o.record_key, o.payload, o.event_id, o.event_type,"
                    + " o.tenant_id, o.job_id, o.attempts,"
                    + " (SELECT min(e.id) FROM outbox e"
                    + "   WHERE e.topic = o.topic AND e.record_key = o.record_key) AS first_of_key"
                    + " FROM outbox o ORDER BY o.id LIMIT :batch FOR UPDATE OF o SKIP LOCKED")
            .setParameter("batch", limit)
            .getResultList();
    return rows.stream()
        .map(
            row ->
                new LockedRow(
                    ((Number) row[0]).longValue(),
                    (String) row[1],
                    (String) row[2],
                    (String) row[3],
                    (UUID) row[4],
                    (String) row[5],
                    (String) row[6],
                    (UUID) row[7],
                    ((Number) row[8]).intValue(),
                    ((Number) row[9]).longValue()))
        .toList();
  }

  /** Deletes a published row. */
  public void delete(long id) {
    em.createNativeQuery("DELETE FROM outbox WHERE id = :id")
        .setParameter("id", id)
        .executeUpdate();
  }

  /** Counts a failed publication of the row and keeps its error. */
  public void recordFailure(long id, String error) {
    em.createNativeQuery(
            "UPDATE outbox SET attempts = attempts + 1, last_error = :error WHERE id = :id")
        .setParameter("error", error)
        .setParameter("id", id)
        .executeUpdate();
  }

  public Backlog backlog() {
    Object[] state =
        (Object[])
            em.createNativeQuery(
                    "SELECT count(*),"
                        + " coalesce(extract(epoch FROM now() - min(created_at)), 0)"
                        + " FROM outbox")
                .getSingleResult();
    return new Backlog(((Number) state[0]).longValue(), ((Number) state[1]).doubleValue());
  }
}
