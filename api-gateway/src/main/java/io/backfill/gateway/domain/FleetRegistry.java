package io.backfill.gateway.domain;

import io.backfill.contracts.id.Lane;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;

/**
 * Records every executor instance seen in run.events with the build it runs (LESSONS 7: what runs,
 * not what is on disk). Callers own the transaction. Seen-times are the gateway's clock.
 */
@ApplicationScoped
public class FleetRegistry {

  private final EntityManager em;

  FleetRegistry(EntityManager em) {
    this.em = em;
  }

  /** The service that runs a lane's attempts. */
  public static String serviceOf(Lane lane) {
    return switch (lane) {
      case FETCH, FOLLOW -> "ingest-fetcher";
      case EXTRACT -> "extraction-worker";
    };
  }

  /** An instance was seen running {@code buildSha} at {@code seenAt}; a newer build replaces it. */
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
}
