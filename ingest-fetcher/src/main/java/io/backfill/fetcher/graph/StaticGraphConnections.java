package io.backfill.fetcher.graph;

import io.backfill.contracts.internal.GraphConnection;
import java.util.Optional;

/** Local use: every tenant is known and shares the connection configured on the OIDC client. */
public class StaticGraphConnections implements GraphConnections {

  @Override
  public Optional<GraphConnection> of(String tenantId) {
    return Optional.of(GraphConnection.configured(tenantId));
  }
}
