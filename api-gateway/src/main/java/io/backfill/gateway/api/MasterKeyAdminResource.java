package io.backfill.gateway.api;

import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.domain.SecretCipher;
import io.backfill.gateway.domain.SecretRotation;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Master-key rotation for BYOK secrets (admin token): which keys are configured and how many
 * secrets each seals, and re-encrypting every secret under the newest key.
 */
@Tag(name = ApiTags.MASTER_KEYS)
@Path("/api/v1/admin/secrets")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = GatewayOpenApi.ADMIN_TOKEN)
public class MasterKeyAdminResource {

  private final Caller caller;
  private final SecretRotation rotation;

  MasterKeyAdminResource(Caller caller, SecretRotation rotation) {
    this.caller = caller;
    this.rotation = rotation;
  }

  @GET
  @Path("/keys")
  @Operation(
      operationId = "getMasterKeyUsage",
      summary = "Configured master keys and how many secrets each seals",
      description =
          "Ids only, never key material. A key that seals no secret any more can be removed from"
              + " the configuration.")
  @APIResponse(
      responseCode = "200",
      description = "Key ids and secrets per key id",
      content = @Content(schema = @Schema(implementation = SecretRotation.Usage.class)))
  @APIResponse(responseCode = "503", description = "No usable master key configured")
  public SecretRotation.Usage keys() {
    caller.requireAdmin();
    try {
      return rotation.usage();
    } catch (SecretCipher.NotConfiguredException e) {
      throw SecretResource.notConfigured(e);
    }
  }

  @POST
  @Path("/rotate")
  @Operation(
      operationId = "rotateMasterKeys",
      summary = "Re-encrypt every secret under the newest master key",
      description =
          "Secrets sealed under an older key are opened with it and sealed again under the first"
              + " key of backfill.gateway.secrets.master-keys, one transaction per secret. Safe to"
              + " repeat. Secrets that cannot be opened (their key is not configured) are listed"
              + " in failures and left unchanged. When secretsByKey shows nothing under an old"
              + " key, it can be removed.")
  @APIResponse(
      responseCode = "200",
      description = "What was re-encrypted, what failed, and secrets per key afterwards",
      content = @Content(schema = @Schema(implementation = SecretRotation.Report.class)))
  @APIResponse(responseCode = "503", description = "No usable master key configured")
  public SecretRotation.Report rotate() {
    caller.requireAdmin();
    try {
      return rotation.rotate();
    } catch (SecretCipher.NotConfiguredException e) {
      throw SecretResource.notConfigured(e);
    }
  }
}
