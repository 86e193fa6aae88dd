package io.backfill.gateway.domain;

import io.backfill.contracts.id.Lane;
import io.backfill.gateway.persistence.FleetStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * Records every executor instance seen in run.events with the build it runs (LESSONS 7: what runs,
 * not what is on disk). Callers own the transaction. Seen-times are the gateway's clock.
 */
@ApplicationScoped
public class FleetRegistry {

  private final FleetStore store;

  FleetRegistry(FleetStore store) {
    this.store = store;
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
    store.seen(instanceId, service, buildSha, seenAt);
  }
}
