package io.backfill.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.api.validation.GraphDirectoryId;
import io.backfill.gateway.api.validation.SafeText;
import io.backfill.gateway.api.validation.SecondPass;
import io.backfill.gateway.domain.GraphDirectories;
import io.backfill.gateway.domain.Tenants;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * The platform admin binds a tenant's Entra directory by hand (e.g. consent was given outside the
 * flow, after checking with the customer) or releases it. Admin token only.
 */
@Tag(name = ApiTags.TENANT_ADMIN)
@Path("/api/v1/admin/tenants/{tenantId}/graph-directory")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = GatewayOpenApi.ADMIN_TOKEN)
public class TenantGraphAdminResource {

  private static final Logger LOG = Logger.getLogger(TenantGraphAdminResource.class);

  /** Body of a bind. */
  @Schema(name = "GraphDirectoryBinding")
  public record DirectoryBody(
      @Schema(required = true, description = "Entra directory id: a GUID or a domain, ≤ 64")
          @NotNull(message = GraphDirectoryId.MESSAGE)
          @SafeText
          @GraphDirectoryId(groups = SecondPass.class)
          String directoryId) {}

  private final Caller caller;
  private final Tenants tenants;
  private final GraphDirectories directories;
  private final JsonBodies bodies;

  TenantGraphAdminResource(
      Caller caller, Tenants tenants, GraphDirectories directories, JsonBodies bodies) {
    this.caller = caller;
    this.tenants = tenants;
    this.directories = directories;
    this.bodies = bodies;
  }

  @PUT
  @Operation(
      operationId = "bindGraphDirectory",
      summary = "Bind a tenant's Entra directory (the operator vouches for it)")
  @RequestBody(
      required = true,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = DirectoryBody.class)))
  @APIResponse(responseCode = "204", description = "Bound")
  @APIResponse(
      responseCode = "400",
      description = "invalid-directory: not a GUID or domain, unknown field, malformed JSON")
  @APIResponse(responseCode = "404", description = "No such tenant")
  public Response bind(
      @PathParam("tenantId") String tenantId,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      byte[] raw) {
    caller.requireAdmin();
    JsonNode body =
        JsonBodies.object(raw, contentType, true, DirectoryBody.class, "invalid-directory");
    List<Problem.FieldError> errors = new ArrayList<>();
    DirectoryBody request =
        bodies.bind(
            body, DirectoryBody.class, field -> TenantAdminResource.MUST_BE_A_STRING, errors);
    if (request == null) {
      throw new ProblemException(
          Problem.invalid("invalid-directory", "The directory is invalid.", errors));
    }
    String directoryId = GraphDirectories.normalise(request.directoryId()).orElseThrow();
    if (!tenants.exists(tenantId)) {
      throw TenantAdminResource.tenantNotFound(tenantId);
    }
    directories.bind(tenantId, directoryId, GraphDirectories.Via.ADMIN);
    LOG.infof("bound directory %s to tenant %s (by the operator)", directoryId, tenantId);
    return Response.noContent().build();
  }

  @DELETE
  @Operation(operationId = "unbindGraphDirectory", summary = "Release a tenant's Entra directory")
  @APIResponse(responseCode = "204", description = "Released")
  @APIResponse(responseCode = "404", description = "No such tenant or no directory bound")
  public Response unbind(@PathParam("tenantId") String tenantId) {
    caller.requireAdmin();
    if (!directories.unbind(tenantId)) {
      throw TenantGraphResource.notBound(tenantId);
    }
    LOG.infof("released the directory of tenant %s (by the operator)", tenantId);
    return Response.noContent().build();
  }
}
