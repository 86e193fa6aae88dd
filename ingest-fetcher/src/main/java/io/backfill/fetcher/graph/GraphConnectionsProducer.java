package io.backfill.fetcher.graph;

import io.backfill.fetcher.config.ConnectionsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Picks the connection source from {@code backfill.graph.connections.source}. */
@ApplicationScoped
public class GraphConnectionsProducer {

  @Produces
  @ApplicationScoped
  GraphConnections connections(
      ConnectionsConfig config, @RestClient Instance<GatewayClient> gateway) {
    return switch (config.source()) {
      case STATIC -> new StaticGraphConnections();
      case GATEWAY -> new GatewayGraphConnections(gateway.get(), config, Clock.systemUTC());
    };
  }
}
