package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.UUID;

/** The event ids already projected. Callers own the transaction. */
@ApplicationScoped
public class ProjectedEvents {

  private final EntityManager em;

  ProjectedEvents(EntityManager em) {
    this.em = em;
  }

  /** Records an event id; false when it was already projected (a redelivery). */
  public boolean markProjected(UUID eventId) {
    return em.createNativeQuery(
                "INSERT INTO projected_events (event_id) VALUES (:id) ON CONFLICT DO NOTHING")
            .setParameter("id", eventId)
            .executeUpdate()
        == 1;
  }
}
