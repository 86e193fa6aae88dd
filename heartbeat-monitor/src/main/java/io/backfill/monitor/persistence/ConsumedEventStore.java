package io.backfill.monitor.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/** {@code consumed_events}: the ids of the events applied, so a redelivery changes nothing. */
@ApplicationScoped
public class ConsumedEventStore {

  private final Jdbc jdbc;

  ConsumedEventStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Records a batch of event ids in ONE statement; returns those that were new (not applied
   * before). Ids repeated within the batch are returned once.
   */
  public Set<UUID> markConsumed(Collection<UUID> eventIds) {
    if (eventIds.isEmpty()) {
      return new HashSet<>();
    }
    return new HashSet<>(
        jdbc.list(
            "INSERT INTO consumed_events (event_id) SELECT unnest(?::uuid[])"
                + " ON CONFLICT DO NOTHING RETURNING event_id",
            row -> row.getObject(1, UUID.class),
            (Object) eventIds.toArray(new UUID[0])));
  }
}
