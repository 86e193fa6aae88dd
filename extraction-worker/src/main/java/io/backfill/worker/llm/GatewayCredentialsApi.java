package io.backfill.worker.llm;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The gateway's internal endpoint for a tenant's LLM key (service token). */
@Path("/internal/v1/tenants/{tenantId}/llm-credentials")
public interface GatewayCredentialsApi {

  /** 200 {@code {tenantId, apiKey, baseUrl}}; 404 problem+json when the tenant has no key. */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  Uni<Response> llmCredentials(
      @PathParam("tenantId") String tenantId, @HeaderParam("Authorization") String authorization);
}
