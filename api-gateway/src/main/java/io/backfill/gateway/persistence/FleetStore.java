package io.backfill.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;

/**
 * The executor instances seen in run.events ({@link FleetInstance}, table {@code fleet_instances}).
 * Callers own the transaction.
 */
@ApplicationScoped
public class FleetStore {

  private final EntityManager em;

  FleetStore(EntityManager em) {
    this.em = em;
  }

  /**
   * Records that the instance ran {@code buildSha} at {@code seenAt}: the build of the latest
   * sighting wins, and last-seen only moves forward.
   */
  public void seen(String instanceId, String service, String buildSha, Instant seenAt) {
    em.createNativeQuery(
            "INSERT INTO fleet_instances (instance_id, service, build_sha, first_seen, last_seen)"
                + " VALUES (:id, :service, :sha, :at, :at)"
                + " ON CONFLICT (instance_id) DO UPDATE SET service = EXCLUDED.service,"
                + " build_sha = CASE WHEN EXCLUDED.last_seen >= fleet_instances.last_seen"
                + " THEN EXCLUDED.build_sha ELSE fleet_instances.build_sha END,"
                + " last_seen = greatest(fleet_instances.last_seen, EXCLUDED.last_seen)")
        .setParameter("id", instanceId)
        .setParameter("service", service)
        .setParameter("sha", buildSha)
        .setParameter("at", seenAt)
        .executeUpdate();
  }

  /** Every instance seen, by service and instance id. */
  public List<FleetInstance> instances() {
    return FleetInstance.list("ORDER BY service, instanceId");
  }
}
