package io.backfill.gateway.api;

import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.domain.ApiKeys;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A tenant's own API keys: list them and revoke one (e.g. a leaked key), without the operator.
 * Creating keys stays with the operator, so a leaked key cannot mint more keys.
 */
@Tag(name = ApiTags.API_KEYS)
@Path("/api/v1/tenant/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = GatewayOpenApi.TENANT_API_KEY)
public class TenantKeysResource {

  private final Caller caller;
  private final ApiKeys apiKeys;

  TenantKeysResource(Caller caller, ApiKeys apiKeys) {
    this.caller = caller;
    this.apiKeys = apiKeys;
  }

  @GET
  @Operation(
      operationId = "listOwnApiKeys",
      summary = "List the caller's API keys",
      description =
          "Id, label, first characters, created, last used (to the minute) and revoked; never a"
              + " key nor its hash.")
  @APIResponse(
      responseCode = "200",
      description = "The keys",
      content = @Content(schema = @Schema(implementation = TenantAdminResource.KeyList.class)))
  public TenantAdminResource.KeyList list() {
    String tenantId = caller.tenantId();
    return new TenantAdminResource.KeyList(tenantId, apiKeys.list(tenantId));
  }

  @DELETE
  @Path("/{keyId}")
  @Operation(
      operationId = "revokeOwnApiKey",
      summary = "Revoke one of the caller's API keys",
      description =
          "From the next request on the key gets 401 (the key making this call may revoke"
              + " itself). Another tenant's key is 404. Revoking twice is 204.")
  @APIResponse(responseCode = "204", description = "Revoked")
  @APIResponse(responseCode = "404", description = "No such key for this tenant")
  public Response revoke(@PathParam("keyId") String keyId) {
    String tenantId = caller.tenantId();
    return TenantAdminResource.revoke(apiKeys, tenantId, keyId, "the tenant");
  }
}
