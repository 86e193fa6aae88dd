package io.backfill.fetcher.graph;

import io.backfill.contracts.internal.GraphConnection;
import io.backfill.fetcher.tenant.TenantRecord;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The api-gateway's internal API, authenticated by the service token. Timeouts and URL are {@code
 * quarkus.rest-client.backfill-gateway.*}.
 */
@RegisterRestClient(configKey = "backfill-gateway")
@Path("/internal/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
public interface GatewayClient {

  /** The tenant registry: 404 when the tenant is not registered. */
  @GET
  @Path("/{tenantId}")
  TenantRecord tenant(
      @PathParam("tenantId") String tenantId, @HeaderParam("Authorization") String authorization);

  /** 404 when the tenant has no Graph directory id (unknown to Backfill). */
  @GET
  @Path("/{tenantId}/graph-connection")
  GraphConnection graphConnection(
      @PathParam("tenantId") String tenantId, @HeaderParam("Authorization") String authorization);
}
