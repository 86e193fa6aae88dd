package io.backfill.gateway.api;

import io.backfill.gateway.domain.ApiKeys;
import io.backfill.gateway.domain.Tenants;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

/** The operator's endpoints: tenants and their API keys. Admin token only. */
@Path("/api/v1/admin/tenants")
@Produces(MediaType.APPLICATION_JSON)
public class TenantAdminResource {

  private static final Logger LOG = Logger.getLogger(TenantAdminResource.class);

  /** Body of a tenant creation. */
  public record NewTenant(String tenantId, String name) {}

  /** A created key: {@code apiKey} is shown this once and stored only as a hash. */
  public record IssuedKey(String tenantId, String apiKey) {}

  private final Caller caller;
  private final Tenants tenants;
  private final ApiKeys apiKeys;

  TenantAdminResource(Caller caller, Tenants tenants, ApiKeys apiKeys) {
    this.caller = caller;
    this.tenants = tenants;
    this.apiKeys = apiKeys;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create a tenant and its first API key (shown once)")
  @APIResponse(responseCode = "201", description = "Created; the body holds the key")
  @APIResponse(
      responseCode = "400",
      description = "Invalid tenant id",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "409",
      description = "The tenant exists",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(responseCode = "401", description = "No or bad token")
  @APIResponse(responseCode = "403", description = "Not the admin token")
  public Response create(NewTenant body) {
    caller.requireAdmin();
    List<Problem.FieldError> errors = new ArrayList<>();
    if (body == null || body.tenantId() == null || !Tenants.ID.matcher(body.tenantId()).matches()) {
      errors.add(
          new Problem.FieldError(
              "tenantId",
              "required: 1-63 lower-case letters, digits or '-', starting with neither '-'"));
    }
    if (!errors.isEmpty()) {
      throw new ProblemException(
          Problem.invalid("invalid-tenant", "The tenant is invalid.", errors));
    }
    String name = body.name() == null || body.name().isBlank() ? body.tenantId() : body.name();
    if (!tenants.create(body.tenantId(), name)) {
      throw new ProblemException(
          Problem.of(
              "tenant-exists", "Tenant exists", 409, "Tenant " + body.tenantId() + " exists."));
    }
    LOG.infof("created tenant %s", body.tenantId());
    return issued(body.tenantId());
  }

  @POST
  @Path("/{tenantId}/api-keys")
  @Operation(summary = "Create another API key for a tenant (shown once)")
  @APIResponse(responseCode = "201", description = "Created; the body holds the key")
  @APIResponse(
      responseCode = "404",
      description = "No such tenant",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(responseCode = "401", description = "No or bad token")
  @APIResponse(responseCode = "403", description = "Not the admin token")
  public Response createKey(@PathParam("tenantId") String tenantId) {
    caller.requireAdmin();
    if (!tenants.exists(tenantId)) {
      throw new ProblemException(
          Problem.of("tenant-not-found", "Tenant not found", 404, "No tenant " + tenantId + "."));
    }
    return issued(tenantId);
  }

  private Response issued(String tenantId) {
    String key = apiKeys.create(tenantId);
    LOG.infof("issued an API key for tenant %s", tenantId);
    return Response.created(URI.create("/api/v1/admin/tenants/" + tenantId))
        .entity(new IssuedKey(tenantId, key))
        .build();
  }
}
