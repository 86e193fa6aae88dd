package io.backfill.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.contracts.rules.TenantIds;
import io.backfill.gateway.api.openapi.ApiTags;
import io.backfill.gateway.api.openapi.GatewayOpenApi;
import io.backfill.gateway.api.validation.SafeText;
import io.backfill.gateway.api.validation.SecondPass;
import io.backfill.gateway.domain.ApiKeys;
import io.backfill.gateway.domain.GraphDirectories;
import io.backfill.gateway.domain.LogText;
import io.backfill.gateway.domain.Tenants;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * The operator's endpoints: tenants and their API keys (create, list, revoke). Admin token only.
 * Bodies are read strictly (unknown fields, malformed JSON, wrong Content-Type → 400 problems), so
 * a CLI calling them gets one error shape.
 */
@Tag(name = ApiTags.TENANT_ADMIN)
@Path("/api/v1/admin/tenants")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = GatewayOpenApi.ADMIN_TOKEN)
public class TenantAdminResource {

  private static final Logger LOG = Logger.getLogger(TenantAdminResource.class);

  /** Longest key label. */
  static final int MAX_LABEL_CHARS = 100;

  /** Longest tenant name. */
  static final int MAX_NAME_CHARS = 200;

  /** What a body field that is not a JSON string is told. */
  static final String MUST_BE_A_STRING = "must be a string";

  static final String TENANT_ID =
      "required: 1-63 lower-case letters, digits or '-', not starting with '-'";

  static final String AT_MOST = "at most {max} characters";

  /** Body of a tenant creation. */
  @Schema(name = "NewTenant")
  public record NewTenant(
      @Schema(required = true, pattern = TenantIds.REGEX)
          @NotNull(message = TENANT_ID)
          @SafeText
          @Pattern(regexp = TenantIds.REGEX, message = TENANT_ID, groups = SecondPass.class)
          String tenantId,
      @Schema(description = "Display name; the tenant id when absent")
          @SafeText
          @Size(max = MAX_NAME_CHARS, message = AT_MOST, groups = SecondPass.class)
          String name,
      @Schema(description = "Label of the first API key, e.g. who or what uses it")
          @SafeText
          @Size(max = MAX_LABEL_CHARS, message = AT_MOST, groups = SecondPass.class)
          String keyLabel) {}

  static final String ISSUED_EXAMPLE =
      "{\"tenantId\": \"acme\", \"keyId\": \"3f9a1c2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b\","
          + " \"label\": \"ci\", \"createdAt\": \"2026-01-05T09:00:00Z\", \"apiKey\":"
          + " \"bfk_Q2hhbmdlTWVJbkEtUmVhbC1LZXktNDMtY2hhcnM\"}";

  /** Body of a key creation (optional). */
  @Schema(name = "NewApiKey")
  public record NewKey(
      @Schema(description = "e.g. who or what uses the key")
          @SafeText
          @Size(max = MAX_LABEL_CHARS, message = AT_MOST, groups = SecondPass.class)
          String label) {}

  /** A created key: {@code apiKey} is shown this once and stored only as a hash. */
  @Schema(name = "IssuedApiKey")
  public record IssuedKey(
      String tenantId, UUID keyId, String label, Instant createdAt, String apiKey) {

    /** Never print the key, whatever logs the record. */
    @Override
    public String toString() {
      return "IssuedKey[tenantId=" + tenantId + ", keyId=" + keyId + ", apiKey=***]";
    }
  }

  /**
   * A tenant as the operator sees it: {@code status} active or suspended, and the Entra directory
   * bound to it (null when none).
   */
  @Schema(name = "Tenant")
  public record TenantView(
      String tenantId,
      String name,
      Instant createdAt,
      String status,
      Instant suspendedAt,
      GraphDirectories.Binding graphDirectory) {}

  /** A tenant's keys: ids, labels and dates, never a key nor its hash. */
  @Schema(name = "ApiKeyList")
  public record KeyList(String tenantId, List<ApiKeys.KeyInfo> keys) {}

  private final Caller caller;
  private final Tenants tenants;
  private final ApiKeys apiKeys;
  private final GraphDirectories directories;
  private final JsonBodies bodies;

  TenantAdminResource(
      Caller caller,
      Tenants tenants,
      ApiKeys apiKeys,
      GraphDirectories directories,
      JsonBodies bodies) {
    this.caller = caller;
    this.tenants = tenants;
    this.apiKeys = apiKeys;
    this.directories = directories;
    this.bodies = bodies;
  }

  @POST
  @Operation(
      operationId = "createTenant",
      summary = "Create a tenant and its first API key (shown once)",
      description =
          "Body {tenantId, name?, keyLabel?} as application/json. 201 with Location of the tenant"
              + " and {tenantId, keyId, label, createdAt, apiKey}: the key is not stored and"
              + " cannot be shown again.")
  @RequestBody(
      required = true,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = NewTenant.class),
              examples =
                  @ExampleObject(
                      name = "a tenant",
                      value =
                          "{\"tenantId\": \"acme\", \"name\": \"Acme Corp\", \"keyLabel\":"
                              + " \"ci\"}")))
  @APIResponse(
      responseCode = "201",
      description = "Created; the body holds the key",
      content =
          @Content(
              schema = @Schema(implementation = IssuedKey.class),
              examples = @ExampleObject(name = "issued", value = ISSUED_EXAMPLE)))
  @APIResponse(
      responseCode = "400",
      description =
          "Invalid tenant id, name or label, unknown field, malformed JSON, wrong Content-Type")
  @APIResponse(responseCode = "409", description = "The tenant exists")
  public Response create(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] raw) {
    caller.requireAdmin();
    JsonNode body = JsonBodies.object(raw, contentType, true, NewTenant.class, "invalid-tenant");
    List<Problem.FieldError> errors = new ArrayList<>();
    NewTenant request = bodies.bind(body, NewTenant.class, field -> MUST_BE_A_STRING, errors);
    if (request == null) {
      throw new ProblemException(
          Problem.invalid("invalid-tenant", "The tenant is invalid.", errors));
    }
    String tenantId = request.tenantId();
    String label = label(request.keyLabel());
    String displayName =
        request.name() == null || request.name().isBlank() ? tenantId : request.name().strip();
    if (!tenants.create(tenantId, displayName)) {
      throw new ProblemException(
          Problem.of("tenant-exists", "Tenant exists", 409, "Tenant " + tenantId + " exists."));
    }
    LOG.infof("created tenant %s", tenantId);
    return issued(tenantId, label, URI.create("/api/v1/admin/tenants/" + tenantId));
  }

  @GET
  @Path("/{tenantId}")
  @Operation(operationId = "getTenant", summary = "A tenant")
  @APIResponse(
      responseCode = "200",
      description = "The tenant",
      content = @Content(schema = @Schema(implementation = TenantView.class)))
  @APIResponse(responseCode = "404", description = "No such tenant")
  public TenantView get(@PathParam("tenantId") String tenantId) {
    caller.requireAdmin();
    return tenants
        .find(tenantId)
        .map(
            t ->
                new TenantView(
                    t.tenantId(),
                    t.name(),
                    t.createdAt(),
                    t.status().value(),
                    t.suspendedAt(),
                    directories.find(tenantId).orElse(null)))
        .orElseThrow(() -> tenantNotFound(tenantId));
  }

  @POST
  @Path("/{tenantId}/suspend")
  @Operation(
      operationId = "suspendTenant",
      summary = "Suspend a tenant",
      description =
          "Its API keys get 403 tenant-suspended, and other services are refused its credentials"
              + " (403) and see it suspended in the registry. Nothing is deleted. Idempotent.")
  @APIResponse(responseCode = "204", description = "Suspended")
  @APIResponse(responseCode = "404", description = "No such tenant")
  public Response suspend(@PathParam("tenantId") String tenantId) {
    return setSuspended(tenantId, true);
  }

  @POST
  @Path("/{tenantId}/reactivate")
  @Operation(
      operationId = "reactivateTenant",
      summary = "Reactivate a suspended tenant (idempotent)")
  @APIResponse(responseCode = "204", description = "Active")
  @APIResponse(responseCode = "404", description = "No such tenant")
  public Response reactivate(@PathParam("tenantId") String tenantId) {
    return setSuspended(tenantId, false);
  }

  private Response setSuspended(String tenantId, boolean suspended) {
    caller.requireAdmin();
    if (!tenants.setSuspended(tenantId, suspended)) {
      throw tenantNotFound(tenantId);
    }
    LOG.infof("%s tenant %s", suspended ? "suspended" : "reactivated", tenantId);
    return Response.noContent().build();
  }

  @POST
  @Path("/{tenantId}/api-keys")
  @Operation(
      operationId = "createApiKey",
      summary = "Create another API key for a tenant (shown once)",
      description = "Optional body {label?} as application/json.")
  @RequestBody(
      required = false,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = NewKey.class)))
  @APIResponse(
      responseCode = "201",
      description = "Created; the body holds the key",
      content =
          @Content(
              schema = @Schema(implementation = IssuedKey.class),
              examples = @ExampleObject(name = "issued", value = ISSUED_EXAMPLE)))
  @APIResponse(
      responseCode = "400",
      description = "Invalid label, unknown field, malformed JSON, wrong Content-Type")
  @APIResponse(responseCode = "404", description = "No such tenant")
  public Response createKey(
      @PathParam("tenantId") String tenantId,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      byte[] raw) {
    caller.requireAdmin();
    JsonNode body = JsonBodies.object(raw, contentType, false, NewKey.class, "invalid-api-key");
    List<Problem.FieldError> errors = new ArrayList<>();
    NewKey request = bodies.bind(body, NewKey.class, field -> MUST_BE_A_STRING, errors);
    if (request == null) {
      throw new ProblemException(
          Problem.invalid("invalid-api-key", "The key request is invalid.", errors));
    }
    String label = label(request.label());
    if (!tenants.exists(tenantId)) {
      throw tenantNotFound(tenantId);
    }
    return issued(tenantId, label, URI.create("/api/v1/admin/tenants/" + tenantId + "/api-keys"));
  }

  @GET
  @Path("/{tenantId}/api-keys")
  @Operation(
      operationId = "listApiKeys",
      summary = "List a tenant's API keys",
      description =
          "Every key, revoked ones included: id, label, first characters, created, last used (to"
              + " the minute) and revoked. Never the key nor its hash.")
  @APIResponse(
      responseCode = "200",
      description = "The keys",
      content = @Content(schema = @Schema(implementation = KeyList.class)))
  @APIResponse(responseCode = "404", description = "No such tenant")
  public KeyList keys(@PathParam("tenantId") String tenantId) {
    caller.requireAdmin();
    if (!tenants.exists(tenantId)) {
      throw tenantNotFound(tenantId);
    }
    return new KeyList(tenantId, apiKeys.list(tenantId));
  }

  @DELETE
  @Path("/{tenantId}/api-keys/{keyId}")
  @Operation(
      operationId = "revokeApiKey",
      summary = "Revoke a tenant's API key",
      description = "The key is refused (401) from the next request on. Revoking twice is 204.")
  @APIResponse(responseCode = "204", description = "Revoked")
  @APIResponse(responseCode = "404", description = "No such key for this tenant")
  public Response revoke(@PathParam("tenantId") String tenantId, @PathParam("keyId") String keyId) {
    caller.requireAdmin();
    return revoke(apiKeys, tenantId, keyId, "the operator");
  }

  /** Revokes a key of the tenant; shared with the tenant's own endpoint. */
  static Response revoke(ApiKeys apiKeys, String tenantId, String keyId, String by) {
    UUID id = keyIdOrNull(keyId);
    ApiKeys.Revocation done =
        id == null ? ApiKeys.Revocation.NOT_FOUND : apiKeys.revoke(tenantId, id);
    if (done == ApiKeys.Revocation.NOT_FOUND) {
      throw new ProblemException(
          Problem.of("api-key-not-found", "API key not found", 404, "No such key of this tenant."));
    }
    if (done == ApiKeys.Revocation.REVOKED) {
      LOG.infof("revoked API key %s of tenant %s (by %s)", id, LogText.of(tenantId), by);
    }
    return Response.noContent().build();
  }

  private static UUID keyIdOrNull(String keyId) {
    try {
      return UUID.fromString(keyId);
    } catch (IllegalArgumentException e) {
      // Not a key id at all: the same 404 as an unknown one.
      return null;
    }
  }

  /** A key's label as stored: none when blank. */
  private static String label(String label) {
    return label == null || label.isBlank() ? null : label.strip();
  }

  private Response issued(String tenantId, String label, URI location) {
    ApiKeys.Issued key = apiKeys.create(tenantId, label);
    LOG.infof("issued API key %s for tenant %s", key.keyId(), tenantId);
    return Response.created(location)
        .type(MediaType.APPLICATION_JSON)
        .entity(new IssuedKey(tenantId, key.keyId(), label, key.createdAt(), key.key()))
        .build();
  }

  static ProblemException tenantNotFound(String tenantId) {
    return new ProblemException(
        Problem.of("tenant-not-found", "Tenant not found", 404, "No tenant " + tenantId + "."));
  }
}
