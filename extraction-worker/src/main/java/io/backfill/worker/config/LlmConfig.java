package io.backfill.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The LLM phase: an OpenAI-compatible chat-completions endpoint, which models answer, and how long
 * and how often it may be asked (docs/decisions/0014-llm-client-outcomes-and-bounds.md).
 */
@ConfigMapping(prefix = "backfill.worker.llm")
public interface LlmConfig {

  /**
   * Base URL of the chat-completions API, {@code /chat/completions} is appended; a tenant whose
   * credentials name a base URL of its own uses that one.
   */
  @WithDefault("https://api.openai.com/v1")
  String baseUrl();

  /**
   * Models in order of preference: the first suitable one answers, the next suitable one is the
   * fallback when the answer is empty. Reasoning-only models in the list are skipped.
   */
  @WithDefault("gpt-4o-mini,gpt-4.1-mini")
  List<String> models();

  /**
   * Per-tenant routes (tenant id → comma-separated models), replacing {@link #models()} for that
   * tenant.
   */
  Map<String, String> tenantModels();

  /** Models that answer in reasoning only (content null): never chosen for extraction. */
  @WithDefault("o1,o1-mini,o1-preview,o3,o3-mini,o4-mini")
  Set<String> reasoningModels();

  /** One HTTP call, connection to last byte. */
  @WithDefault("60s")
  Duration callTimeout();

  @WithDefault("5s")
  Duration connectTimeout();

  /**
   * The whole LLM phase of a chunk. It also ends {@link #reserve()} before the attempt's own
   * deadline, so that embeddings and the write still fit and the outcome is reported.
   */
  @WithDefault("5m")
  Duration chunkDeadline();

  /** Time kept back from the attempt's deadline for embeddings and the write. */
  @WithDefault("30s")
  Duration reserve();

  /** Calls in flight at once in this worker, across all its attempts. */
  @WithDefault("8")
  int maxConcurrentCalls();

  /** Retries of one call after 429, 5xx or a transport failure. */
  @WithDefault("3")
  int maxRetries();

  /** First pause after a 5xx or a transport failure; doubled each time. */
  @WithDefault("1s")
  Duration initialBackoff();

  /** Upper bound of any pause, a 429's Retry-After included. */
  @WithDefault("30s")
  Duration maxBackoff();

  /** Characters of a body sent to the model: the whole text body as fetched (≤ 10 KB). */
  @WithDefault("10240")
  int maxBodyChars();

  /**
   * LLM clients kept, one per tenant (its base URL): least recently used ones are closed beyond
   * this, and a tenant's is replaced when its base URL changes. Each holds a connection pool.
   */
  @WithDefault("64")
  int clientCacheSize();

  /** Where a base URL may point (a tenant's own included): checked before every call. */
  Egress egress();

  /** Egress rules of the LLM client (io.backfill.contracts.security.LlmEndpointPolicy). */
  interface Egress {

    /**
     * Allow plain {@code http} to a loopback host, and loopback addresses at all: a local LLM
     * simulator only, so true in the dev and test profiles only.
     */
    @WithDefault("false")
    boolean allowLoopbackHttp();

    /**
     * Host names (or IP literals) allowed whatever their addresses, e.g. an in-cluster LLM proxy
     * the operator runs; https is still required.
     */
    Optional<Set<String>> allowedHosts();
  }
}
