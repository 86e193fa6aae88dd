package io.backfill.fetcher.tenant;

import io.backfill.fetcher.config.ConnectionsConfig;
import io.backfill.fetcher.config.TenantsConfig;
import io.backfill.fetcher.graph.GatewayClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Picks the tenant registry from {@code backfill.tenants.source}. */
@ApplicationScoped
public class TenantRegistryProducer {

  @Produces
  @ApplicationScoped
  TenantRegistry registry(
      TenantsConfig config,
      ConnectionsConfig connections,
      @RestClient Instance<GatewayClient> gateway) {
    return switch (config.source()) {
      case ANY -> new AnyTenantRegistry();
      case GATEWAY ->
          new GatewayTenantRegistry(
              gateway.get(),
              connections
                  .serviceToken()
                  .filter(token -> !token.isBlank())
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              "backfill.graph.connections.service-token (BACKFILL_SERVICE_TOKEN) is"
                                  + " required with backfill.tenants.source=gateway")),
              config);
    };
  }
}
