package io.backfill.worker.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.worker.config.CredentialsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Tenants' LLM keys from the gateway's {@code GET /internal/v1/tenants/{t}/llm-credentials} with
 * the service token: a key is cached for {@code cache-ttl}, "no key" (404) for {@code
 * negative-ttl}. Without a configured gateway no tenant has a key. Any other answer, or none within
 * the timeout, is {@link CredentialsUnavailableException} (docs/decisions/0015).
 */
@ApplicationScoped
public class GatewayCredentials implements TenantCredentials {

  private static final Logger LOG = Logger.getLogger(GatewayCredentials.class);

  private record Cached(Optional<LlmCredentials> credentials, long expiresAtNanos) {}

  private final CredentialsConfig config;
  private final MeterRegistry registry;
  private final ObjectMapper json;
  private final GatewayCredentialsApi api;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  GatewayCredentials(CredentialsConfig config, MeterRegistry registry, ObjectMapper json) {
    this.config = config;
    this.registry = registry;
    this.json = json;
    this.api =
        config
            .gatewayUrl()
            .map(
                url ->
                    QuarkusRestClientBuilder.newBuilder()
                        .baseUri(URI.create(url))
                        .connectTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                        .readTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                        // 404 is an answer ("no key"), not an exception.
                        .property("microprofile.rest.client.disable.default.mapper", true)
                        .build(GatewayCredentialsApi.class))
            .orElse(null);
    if (api == null) {
      LOG.warn(
          "backfill.worker.credentials.gateway-url is not set: no tenant has an LLM key, every"
              + " chunk is extracted with llm: skipped_no_key");
    }
  }

  @Override
  public Optional<LlmCredentials> llmCredentials(String tenantId) {
    if (api == null) {
      return Optional.empty();
    }
    Cached cached = cache.get(tenantId);
    if (cached != null && System.nanoTime() - cached.expiresAtNanos() < 0) {
      return cached.credentials();
    }
    Optional<LlmCredentials> fresh = fetch(tenantId);
    long ttl = (fresh.isPresent() ? config.cacheTtl() : config.negativeTtl()).toNanos();
    cache.put(tenantId, new Cached(fresh, System.nanoTime() + ttl));
    return fresh;
  }

  @Override
  public void rejected(String tenantId) {
    cache.remove(tenantId);
  }

  private Optional<LlmCredentials> fetch(String tenantId) {
    registry.counter("backfill_worker_credentials_requests_total").increment();
    Response response;
    try {
      response =
          api.llmCredentials(tenantId, "Bearer " + config.serviceToken().orElse(""))
              .await()
              .atMost(config.timeout().plusSeconds(1));
    } catch (RuntimeException e) {
      throw unavailable(tenantId, "no answer from the gateway: " + e, e);
    }
    try (response) {
      int status = response.getStatus();
      if (status == 404) {
        return Optional.empty();
      }
      if (status != 200) {
        throw unavailable(tenantId, "the gateway answered " + status, null);
      }
      JsonNode body = json.readTree(response.readEntity(String.class));
      String key = body.path("apiKey").asText("");
      if (key.isBlank()) {
        throw unavailable(tenantId, "the gateway answered 200 without an apiKey", null);
      }
      String baseUrl = body.path("baseUrl").isTextual() ? body.path("baseUrl").asText() : null;
      return Optional.of(new LlmCredentials(key, baseUrl));
    } catch (java.io.IOException e) {
      throw unavailable(tenantId, "unreadable answer from the gateway", e);
    }
  }

  private CredentialsUnavailableException unavailable(
      String tenantId, String detail, Throwable cause) {
    // Logged once where the attempt fails, with its ids; counted here.
    registry.counter("backfill_worker_credentials_failures_total").increment();
    return new CredentialsUnavailableException(
        "LLM credentials of tenant " + tenantId + " unavailable: " + detail, cause);
  }
}
