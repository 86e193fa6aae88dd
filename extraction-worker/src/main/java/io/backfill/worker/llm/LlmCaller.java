package io.backfill.worker.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.contracts.event.Chunk;
import io.backfill.worker.config.LlmConfig;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.ChunkMetrics;
import io.backfill.worker.llm.TenantCredentials.LlmCredentials;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

/**
 * What every call to the model in this worker shares: at most {@code max-concurrent-calls} calls in
 * flight (one in sequential mode), and a client per tenant's base URL (at most {@code
 * client-cache-size}, each with its timeouts, never following a redirect). A chunk's calls go
 * through a {@link ChunkCall} made here.
 */
@ApplicationScoped
public class LlmCaller {

  // Logged as the LLM phase, so its one log category keeps covering every line of the phase.
  private static final Logger LOG = Logger.getLogger(OpenAiLlmExtractor.class);

  final LlmConfig config;
  final TenantCredentials credentials;
  final ChunkMetrics metrics;
  final LlmEndpointGuard endpoints;
  final ObjectMapper json;
  final ExtractionPrompt prompt;
  final Semaphore callSlots;
  private final int callsAtOnce;
  private final LlmClients<ChatCompletionsApi> clients;

  LlmCaller(
      LlmConfig config,
      WorkerConfig workerConfig,
      TenantCredentials credentials,
      ChunkMetrics metrics,
      LlmEndpointGuard endpoints,
      ObjectMapper json,
      ExtractionPrompt prompt) {
    this.config = config;
    this.credentials = credentials;
    this.metrics = metrics;
    this.endpoints = endpoints;
    this.json = json;
    this.prompt = prompt;
    this.callsAtOnce = workerConfig.sequential() ? 1 : config.maxConcurrentCalls();
    this.callSlots = new Semaphore(callsAtOnce, true);
    this.clients = new LlmClients<>(config.clientCacheSize(), this::client, LlmCaller::close);
  }

  /** How many calls may be in flight in this worker at once. */
  int callsAtOnce() {
    return callsAtOnce;
  }

  /** The tenant's client for the base URL, held until the lease is closed. */
  LlmClients<ChatCompletionsApi>.Lease lease(String tenantId, String baseUrl) {
    return clients.lease(tenantId, baseUrl);
  }

  /** The calls of one chunk's LLM phase, over the leased client. */
  ChunkCall chunkCall(
      Chunk chunk,
      LlmCredentials key,
      List<String> route,
      long deadlineNanos,
      String baseUrl,
      LlmClients<ChatCompletionsApi>.Lease lease) {
    return new ChunkCall(
        this, chunk.tenantId(), key, route, deadlineNanos, baseUrl, lease.client());
  }

  private ChatCompletionsApi client(String baseUrl) {
    return QuarkusRestClientBuilder.newBuilder()
        .baseUri(URI.create(baseUrl))
        .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
        // Never fewer connections than call slots (the client's default is 50): a call
        // waiting for a connection would wait outside its slot's accounting.
        .property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, Math.max(50, callsAtOnce))
        // A redirect is an answer (rejected), never followed: the endpoint was checked,
        // the Location it names was not.
        .followRedirects(false)
        // Statuses are outcomes here (401, 429, 5xx), not exceptions.
        .property("microprofile.rest.client.disable.default.mapper", true)
        .build(ChatCompletionsApi.class);
  }

  private static void close(ChatCompletionsApi client) {
    try {
      ((java.io.Closeable) client).close();
    } catch (java.io.IOException | RuntimeException e) {
      // Its connections die with their idle timeout; nothing else depends on this one.
      LOG.warnf("closing an LLM client failed: %s", e.toString());
    }
  }
}
