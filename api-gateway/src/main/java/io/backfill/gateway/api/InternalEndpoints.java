package io.backfill.gateway.api;

import io.backfill.contracts.internal.GraphConnection;
import io.backfill.gateway.domain.GraphDirectories;
import io.backfill.gateway.domain.LogText;
import io.backfill.gateway.domain.MasterKeyring;
import io.backfill.gateway.domain.SecretCipher;
import io.backfill.gateway.domain.TenantSecrets;
import io.backfill.gateway.domain.Tenants;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * What other Backfill services ask the gateway, served by {@link InternalServer} to the service
 * token: the tenant registry (is this tenant known and active?), a tenant's LLM credentials for the
 * extraction worker (no key → 404, and the worker records {@code skipped_no_key}; LESSONS 13: never
 * a mock key) and its Graph connection for the fetcher. A suspended tenant's credentials are
 * refused (403 {@code tenant-suspended}). Blocking: called off the event loop.
 */
@ApplicationScoped
public class InternalEndpoints {

  private static final Logger LOG = Logger.getLogger(InternalEndpoints.class);

  /** A tenant as the registry answers: {@code status} is active or suspended. */
  public record TenantStatus(String tenantId, String status) {}

  /** What a worker needs to call the tenant's LLM. {@code baseUrl} is null for the default. */
  public record LlmCredentials(String tenantId, String apiKey, String baseUrl) {

    @Override
    public String toString() {
      return "LlmCredentials[tenantId=" + tenantId + ", apiKey=***, baseUrl=" + baseUrl + "]";
    }
  }

  private final Tenants tenants;
  private final TenantSecrets secrets;
  private final GraphDirectories directories;
  private final MeterRegistry metrics;

  InternalEndpoints(
      Tenants tenants, TenantSecrets secrets, GraphDirectories directories, MeterRegistry metrics) {
    this.tenants = tenants;
    this.secrets = secrets;
    this.directories = directories;
    this.metrics = metrics;
  }

  /** {@code GET /internal/v1/tenants/{tenantId}}: 404 for a tenant the gateway does not know. */
  public TenantStatus tenant(String tenantId) {
    return tenants
        .status(tenantId)
        .map(status -> new TenantStatus(tenantId, status.value()))
        .orElseThrow(
            () ->
                new ProblemException(
                    Problem.of(
                        "tenant-not-found",
                        "Tenant not found",
                        404,
                        "No tenant " + tenantId + ".")));
  }

  /** {@code GET /internal/v1/tenants/{tenantId}/llm-credentials}. */
  public LlmCredentials llmCredentials(String tenantId) {
    requireNotSuspended(tenantId);
    return readingSecrets(
        tenantId,
        () -> {
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
        });
  }

  /**
   * {@code GET /internal/v1/tenants/{tenantId}/graph-connection}. With its own app (client id and
   * secret) a tenant's own {@code graph_directory_id} applies, since those credentials open only
   * directories that consented to that app; else, and without its own app always, the bound
   * directory with the operator's app. Neither → 404 {@code no-graph-connection}.
   */
  public GraphConnection graphConnection(String tenantId) {
    requireNotSuspended(tenantId);
    return readingSecrets(
        tenantId,
        () -> {
          Optional<String> clientId = secrets.get(tenantId, TenantSecrets.GRAPH_CLIENT_ID);
          Optional<String> clientSecret = secrets.get(tenantId, TenantSecrets.GRAPH_CLIENT_SECRET);
          Optional<String> bound =
              directories.find(tenantId).map(GraphDirectories.Binding::directoryId);
          if (clientId.isPresent() && clientSecret.isPresent()) {
            Optional<String> own = secrets.get(tenantId, TenantSecrets.GRAPH_DIRECTORY_ID);
            String directory = own.or(() -> bound).orElseThrow(() -> noConnection(tenantId));
            return new GraphConnection(tenantId, directory, clientId.get(), clientSecret.get());
          }
          return new GraphConnection(
              tenantId, bound.orElseThrow(() -> noConnection(tenantId)), null, null);
        });
  }

  private void requireNotSuspended(String tenantId) {
    if (tenants.status(tenantId).orElse(Tenants.Status.ACTIVE) == Tenants.Status.SUSPENDED) {
      LOG.infof("refused the credentials of suspended tenant %s", LogText.of(tenantId));
      metrics
          .counter("backfill_gateway_internal_refusals_total", "reason", "suspended")
          .increment();
      throw BearerAuthFilter.tenantSuspended(tenantId);
    }
  }

  private <T> T readingSecrets(String tenantId, Supplier<T> read) {
    try {
      return read.get();
    } catch (SecretCipher.NotConfiguredException e) {
      throw SecretResource.notConfigured(e);
    } catch (MasterKeyring.UnknownKeyException e) {
      metrics.counter("backfill_gateway_secrets_unreadable_total").increment();
      throw SecretResource.unreadable(tenantId, e);
    }
  }

  private static ProblemException noConnection(String tenantId) {
    return new ProblemException(
        Problem.of(
            "no-graph-connection",
            "No Graph connection",
            404,
            "Tenant "
                + tenantId
                + " has no Graph directory: bind one by admin consent, or store its own app"
                + " registration and directory id."));
  }
}
