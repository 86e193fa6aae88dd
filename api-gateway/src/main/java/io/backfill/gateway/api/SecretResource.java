package io.backfill.gateway.api;

import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.LogText;
import io.backfill.gateway.domain.SecretCipher;
import io.backfill.gateway.domain.TenantSecrets;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * The caller's BYOK secrets (e.g. {@code OPENAI_API_KEY}). Write-only: a secret is never returned,
 * and its value is never logged. Names are case-insensitive.
 */
@Tag(name = ApiTags.SECRETS)
@Path("/api/v1/tenant/secrets/{name}")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = GatewayOpenApi.TENANT_API_KEY)
public class SecretResource {

  private static final Logger LOG = Logger.getLogger(SecretResource.class);

  /** The body of a PUT. */
  public record SecretValue(String value) {

    /** Never print the value, whatever logs the record. */
    @Override
    public String toString() {
      return "SecretValue[value=***]";
    }
  }

  private final Caller caller;
  private final TenantSecrets secrets;
  private final GatewayConfig config;
  private final LlmBaseUrlCheck baseUrlCheck;

  SecretResource(
      Caller caller, TenantSecrets secrets, GatewayConfig config, LlmBaseUrlCheck baseUrlCheck) {
    this.caller = caller;
    this.secrets = secrets;
    this.config = config;
    this.baseUrlCheck = baseUrlCheck;
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "putSecret",
      summary = "Store or replace a secret (encrypted at rest; never returned)")
  @APIResponse(responseCode = "204", description = "Stored")
  @APIResponse(responseCode = "400", description = "Bad name or value")
  @APIResponse(
      responseCode = "422",
      description = "openai_base_url pointing somewhere the worker may not call")
  @APIResponse(
      responseCode = "403",
      description =
          "Not a tenant API key, a suspended tenant, or graph_directory_id without the tenant's own graph_client_id and graph_client_secret")
  @APIResponse(responseCode = "503", description = "No master key configured")
  public Response put(@PathParam("name") String name, SecretValue body) {
    String tenantId = caller.tenantId();
    String normalised = name(name);
    int max = config.secrets().maxValueChars();
    if (body == null
        || body.value() == null
        || body.value().isBlank()
        || body.value().length() > max) {
      throw new ProblemException(
          Problem.invalid(
              "invalid-secret",
              "The secret is invalid.",
              List.of(new Problem.FieldError("value", "required, 1 to " + max + " characters"))));
    }
    if (normalised.equals(TenantSecrets.LLM_BASE_URL)) {
      baseUrlCheck.check(body.value());
    }
    if (normalised.equals(TenantSecrets.GRAPH_DIRECTORY_ID) && !secrets.hasOwnGraphApp(tenantId)) {
      LOG.infof(
          "refused %s of tenant %s: it has no app registration of its own", normalised, tenantId);
      throw new ProblemException(
          Problem.of(
              "directory-needs-consent",
              "Directory needs consent",
              403,
              "With the operator's app a directory is bound only by its admin's consent: use the"
                  + " admin-consent flow (GET /api/v1/graph/consent), or store graph_client_id and"
                  + " graph_client_secret of your own app registration first."));
    }
    try {
      secrets.put(tenantId, normalised, body.value());
    } catch (SecretCipher.NotConfiguredException e) {
      throw notConfigured(e);
    }
    LOG.infof("stored secret %s of tenant %s", normalised, tenantId);
    return Response.noContent().build();
  }

  @DELETE
  @Operation(operationId = "deleteSecret", summary = "Delete a secret")
  @APIResponse(responseCode = "204", description = "Deleted")
  @APIResponse(responseCode = "404", description = "No such secret")
  public Response delete(@PathParam("name") String name) {
    String tenantId = caller.tenantId();
    String normalised = name(name);
    if (!secrets.delete(tenantId, normalised)) {
      throw new ProblemException(
          Problem.of("secret-not-found", "Secret not found", 404, "No secret " + normalised + "."));
    }
    LOG.infof("deleted secret %s of tenant %s", normalised, tenantId);
    return Response.noContent().build();
  }

  private static String name(String name) {
    return TenantSecrets.normalise(name)
        .orElseThrow(
            () ->
                new ProblemException(
                    Problem.invalid(
                        "invalid-secret",
                        "The secret name is invalid.",
                        List.of(
                            new Problem.FieldError(
                                "name", "1-64 letters, digits, '_', '.' or '-' (any case)")))));
  }

  /** A secret sealed under a master key that was removed before the secrets were rotated. */
  static ProblemException unreadable(String tenantId, RuntimeException e) {
    LOG.errorf(
        "secret of tenant %s unreadable: %s", LogText.of(tenantId), LogText.of(e.getMessage()));
    return new ProblemException(
        Problem.of(
            "secret-unreadable",
            "Secret unreadable",
            503,
            "A secret of tenant "
                + tenantId
                + " is sealed under a master key this gateway does not have; configure it and"
                + " rotate."));
  }

  static ProblemException notConfigured(SecretCipher.NotConfiguredException e) {
    LOG.errorf("secrets unavailable: %s", e.getMessage());
    return new ProblemException(
        Problem.of(
            "secrets-unavailable",
            "Secrets unavailable",
            503,
            "This gateway has no master key configured for secrets."));
  }
}
