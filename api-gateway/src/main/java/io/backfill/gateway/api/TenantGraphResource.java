package io.backfill.gateway.api;

import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.domain.GraphDirectories;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's own directory binding, as admin consent or the operator made it. */
@Tag(name = ApiTags.GRAPH)
@Path("/api/v1/tenant/graph")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = GatewayOpenApi.TENANT_API_KEY)
public class TenantGraphResource {

  private final Caller caller;
  private final GraphDirectories directories;

  TenantGraphResource(Caller caller, GraphDirectories directories) {
    this.caller = caller;
    this.directories = directories;
  }

  @GET
  @Operation(operationId = "getGraphDirectory", summary = "The caller's bound Entra directory")
  @APIResponse(
      responseCode = "200",
      description = "{directoryId, boundAt, boundVia (consent | admin)}",
      content = @Content(schema = @Schema(implementation = GraphDirectories.Binding.class)))
  @APIResponse(responseCode = "404", description = "No directory bound")
  public GraphDirectories.Binding binding() {
    String tenantId = caller.tenantId();
    return directories.find(tenantId).orElseThrow(() -> notBound(tenantId));
  }

  static ProblemException notBound(String tenantId) {
    return new ProblemException(
        Problem.of(
            "no-graph-directory",
            "No Graph directory",
            404,
            "Tenant " + tenantId + " has no bound directory; use GET /api/v1/graph/consent."));
  }
}
