package io.backfill.gateway.messaging;

import io.backfill.contracts.event.Event;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.serde.EventJson;
import io.backfill.gateway.persistence.OutboxStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.UUID;

/**
 * Stores an event for the relay to publish, in the caller's transaction: the event goes out if and
 * only if what the caller wrote with it (a submission's idempotency claim) commits. Once the
 * transaction has committed, {@link OutboxRelay#wake()} publishes it without waiting for the poll.
 */
@ApplicationScoped
public class Outbox {

  private final OutboxStore store;

  Outbox(OutboxStore store) {
    this.store = store;
  }

  /** Adds the event to the outbox; must run inside the transaction it belongs to. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void append(String topic, String key, JobId jobId, Event event) {
    store.append(
        new OutboxStore.NewRow(
            topic,
            key,
            EventJson.toJson(event),
            event.eventId(),
            event.getClass().getSimpleName(),
            event.tenantId(),
            UUID.fromString(jobId.value())));
  }
}
