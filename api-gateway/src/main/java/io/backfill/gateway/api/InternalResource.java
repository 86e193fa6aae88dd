package io.backfill.gateway.api;

import io.backfill.gateway.domain.LogText;
import io.backfill.gateway.domain.MasterKeyring;
import io.backfill.gateway.domain.SecretCipher;
import io.backfill.gateway.domain.TenantSecrets;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

/**
 * Endpoints for other Backfill services, authenticated by the service token: a tenant's LLM
 * credentials for the extraction worker (no key → 404, and the worker records {@code
 * skipped_no_key}; LESSONS 13: never a mock key) and its Graph connection for the fetcher (no
 * directory id → 404, and the fetcher rejects the job).
 */
@Path("/internal/v1/tenants/{tenantId}")
@Produces(MediaType.APPLICATION_JSON)
public class InternalResource {

  private static final Logger LOG = Logger.getLogger(InternalResource.class);

  /** What a worker needs to call the tenant's LLM. {@code baseUrl} is null for the default. */
  public record LlmCredentials(String tenantId, String apiKey, String baseUrl) {

    @Override
    public String toString() {
      return "LlmCredentials[tenantId=" + tenantId + ", apiKey=***, baseUrl=" + baseUrl + "]";
    }
  }

  /**
   * What the fetcher needs to get Graph tokens for a tenant: its Microsoft Entra directory id and,
   * when the tenant brings its own app registration, that app's client id and secret.
   */
  public record GraphConnection(
      String tenantId, String directoryId, String clientId, String clientSecret) {

    @Override
    public String toString() {
      return "GraphConnection[tenantId="
          + tenantId
          + ", directoryId="
          + directoryId
          + ", clientId="
          + clientId
          + ", clientSecret=***]";
    }
  }

  private final Caller caller;
  private final TenantSecrets secrets;
  private final MeterRegistry metrics;

  InternalResource(Caller caller, TenantSecrets secrets, MeterRegistry metrics) {
    this.caller = caller;
    this.secrets = secrets;
    this.metrics = metrics;
  }

  @GET
  @Path("/llm-credentials")
  @Operation(summary = "A tenant's LLM credentials, for workers (service token)")
  @APIResponse(
      responseCode = "200",
      description = "The credentials",
      content = @Content(schema = @Schema(implementation = LlmCredentials.class)))
  @APIResponse(
      responseCode = "404",
      description = "The tenant has no LLM key",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(responseCode = "401", description = "No or bad service token")
  public LlmCredentials llmCredentials(@PathParam("tenantId") String tenantId) {
    caller.requireService();
    try {
      String key =
          secrets
              .get(tenantId, TenantSecrets.LLM_API_KEY)
              .orElseThrow(
                  () ->
                      new ProblemException(
                          Problem.of(
                              "no-llm-key",
                              "No LLM key",
                              404,
                              "Tenant "
                                  + tenantId
                                  + " has no "
                                  + TenantSecrets.LLM_API_KEY
                                  + ".")));
      String baseUrl = secrets.get(tenantId, TenantSecrets.LLM_BASE_URL).orElse(null);
      LOG.debugf("handed out the LLM credentials of tenant %s", LogText.of(tenantId));
      return new LlmCredentials(tenantId, key, baseUrl);
    } catch (SecretCipher.NotConfiguredException e) {
      throw SecretResource.notConfigured(e);
    } catch (MasterKeyring.UnknownKeyException e) {
      metrics.counter("backfill_gateway_secrets_unreadable_total").increment();
      throw SecretResource.unreadable(tenantId, e);
    }
  }

  @GET
  @Path("/graph-connection")
  @Operation(summary = "A tenant's Graph connection, for the fetcher (service token)")
  @APIResponse(
      responseCode = "200",
      description = "The connection",
      content = @Content(schema = @Schema(implementation = GraphConnection.class)))
  @APIResponse(
      responseCode = "404",
      description = "The tenant has no Graph directory id",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(responseCode = "401", description = "No or bad service token")
  public GraphConnection graphConnection(@PathParam("tenantId") String tenantId) {
    caller.requireService();
    try {
      String directoryId =
          secrets
              .get(tenantId, TenantSecrets.GRAPH_DIRECTORY_ID)
              .orElseThrow(
                  () ->
                      new ProblemException(
                          Problem.of(
                              "no-graph-connection",
                              "No Graph connection",
                              404,
                              "Tenant "
                                  + tenantId
                                  + " has no "
                                  + TenantSecrets.GRAPH_DIRECTORY_ID
                                  + ".")));
      return new GraphConnection(
          tenantId,
          directoryId,
          secrets.get(tenantId, TenantSecrets.GRAPH_CLIENT_ID).orElse(null),
          secrets.get(tenantId, TenantSecrets.GRAPH_CLIENT_SECRET).orElse(null));
    } catch (SecretCipher.NotConfiguredException e) {
      throw SecretResource.notConfigured(e);
    } catch (MasterKeyring.UnknownKeyException e) {
      metrics.counter("backfill_gateway_secrets_unreadable_total").increment();
      throw SecretResource.unreadable(tenantId, e);
    }
  }
}
