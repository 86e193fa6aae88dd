package io.backfill.gateway.messaging;

import io.backfill.contracts.event.Event;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.UUID;

/**
 * Stores an event for the relay to publish, in the caller's transaction: the event goes out if and
 * only if what the caller wrote with it (a submission's idempotency claim) commits. Once the
 * transaction has committed, {@link OutboxRelay#wake()} publishes it without waiting for the poll.
 */
@ApplicationScoped
public class Outbox {

  private final EntityManager em;

  Outbox(EntityManager em) {
    this.em = em;
  }

  /** Adds the event to the outbox; must run inside the transaction it belongs to. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void append(String topic, String key, JobId jobId, Event event) {
    em.createNativeQuery(
            "INSERT INTO outbox (topic, record_key, payload, event_id, event_type, tenant_id,"
                + " job_id) VALUES (:topic, :key, :payload, :event, :type, :tenant, :job)")
        .setParameter("topic", topic)
        .setParameter("key", key)
        .setParameter("payload", EventJson.toJson(event))
        .setParameter("event", event.eventId())
        .setParameter("type", event.getClass().getSimpleName())
        .setParameter("tenant", event.tenantId())
        .setParameter("job", UUID.fromString(jobId.value()))
        .executeUpdate();
  }
}
