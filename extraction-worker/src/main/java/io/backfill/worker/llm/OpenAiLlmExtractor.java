package io.backfill.worker.llm;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.security.LlmEndpointPolicy.Verdict;
import io.backfill.contracts.security.SecretRedaction;
import io.backfill.worker.config.LlmConfig;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.ChunkMetrics;
import io.backfill.worker.llm.TenantCredentials.LlmCredentials;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The LLM phase over an OpenAI-compatible {@code /chat/completions}: one call per message with its
 * headers and full text body, a JSON schema for the answer, at most {@code max-concurrent-calls}
 * calls in flight in this worker, each bounded by {@code call-timeout}, the whole phase by its
 * deadline. Outcomes (docs/decisions/0014-llm-client-outcomes-and-bounds.md): empty or null content
 * → the fallback model; fenced or cut-short JSON → repaired; still invalid → one more call, then a
 * failure with its reason; 429 → Retry-After (bounded), 5xx and transport failures → backoff, both
 * retried {@code max-retries} times; 401 → {@code invalid_key} for the tenant, no more calls in the
 * chunk. Every call's outcome is counted in {@code llm_outcomes_total{outcome}}.
 *
 * <p>This class fans a chunk's messages out over its pool and waits for them within the deadline;
 * {@link ModelRouter} picks the models, {@link ChunkCall} makes and retries the calls within {@link
 * LlmCaller}'s slots and clients, {@link ExtractionPrompt} writes the request and {@link
 * PhaseSummary} sums the results up.
 *
 * <p>Egress: before every call the base URL (a tenant's own or the default) passes {@link
 * LlmEndpointGuard} with the addresses it resolves to now, or the call is not made ({@code
 * llm-endpoint-refused}); redirects are not followed, so an allowed host cannot hand the call on.
 * Provider error text is passed through {@link SecretRedaction} before it reaches a log line or an
 * outcome: providers echo the key they refused.
 */
@ApplicationScoped
public class OpenAiLlmExtractor implements LlmExtractor {

  private static final Logger LOG = Logger.getLogger(OpenAiLlmExtractor.class);

  private final LlmConfig config;
  private final TenantCredentials credentials;
  private final ChunkMetrics metrics;
  private final LlmEndpointGuard endpoints;
  private final ModelRouter router;
  private final LlmCaller caller;
  private final ExecutorService pool;

  OpenAiLlmExtractor(
      LlmConfig config,
      WorkerConfig workerConfig,
      TenantCredentials credentials,
      ChunkMetrics metrics,
      LlmEndpointGuard endpoints,
      ModelRouter router,
      LlmCaller caller) {
    this.config = config;
    this.credentials = credentials;
    this.metrics = metrics;
    this.endpoints = endpoints;
    this.router = router;
    this.caller = caller;
    AtomicInteger number = new AtomicInteger();
    // Twice the call slots: a task waiting out a Retry-After holds a thread but no call slot. In
    // sequential mode one thread, so a chunk's messages are asked one after another, in order.
    this.pool =
        Executors.newFixedThreadPool(
            workerConfig.sequential() ? 1 : 2 * caller.callsAtOnce(),
            task -> {
              Thread thread = new Thread(task, "llm-call-" + number.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  void stop(@Observes ShutdownEvent shutdown) {
    pool.shutdownNow();
  }

  @Override
  public LlmResult extract(Chunk chunk, long deadlineNanos) throws InterruptedException {
    Optional<LlmCredentials> key = credentials.llmCredentials(chunk.tenantId());
    if (key.isEmpty()) {
      metrics.llmCall("skipped_no_key");
      return LlmResult.of(LlmOutcome.skippedNoKey());
    }
    List<String> route = router.route(chunk.tenantId());
    if (route.isEmpty()) {
      metrics.llmCall("no_model");
      LOG.errorf("no model suitable for extraction is configured for tenant %s", chunk.tenantId());
      return LlmResult.of(
          new LlmOutcome(
              LlmStatus.FAILED,
              0,
              0,
              0,
              chunk.messages().size(),
              "no model suitable for extraction is configured (reasoning-only models are skipped)"));
    }
    String baseUrl = key.get().baseUrl() == null ? config.baseUrl() : key.get().baseUrl();
    Verdict verdict = endpoints.check(baseUrl);
    if (!verdict.allowed()) {
      return refused(chunk, verdict);
    }
    try (LlmClients<ChatCompletionsApi>.Lease lease = caller.lease(chunk.tenantId(), baseUrl)) {
      ChunkCall call = caller.chunkCall(chunk, key.get(), route, deadlineNanos, baseUrl, lease);
      List<Future<MessageResult>> futures = new ArrayList<>();
      for (MailMessage message : chunk.messages()) {
        futures.add(pool.submit(() -> call.answer(message)));
      }
      List<MessageResult> results = new ArrayList<>();
      try {
        for (Future<MessageResult> future : futures) {
          results.add(await(future, deadlineNanos));
        }
      } finally {
        // Past the deadline or cancelled: what is still asking the model is given up, on the wire.
        futures.forEach(f -> f.cancel(true));
      }
      return PhaseSummary.of(chunk, call.calls(), results, metrics);
    }
  }

  /** The chunk's LLM endpoint is refused before any call: a recorded failure, logged once. */
  private LlmResult refused(Chunk chunk, Verdict verdict) {
    metrics.llmEndpointRefused();
    metrics.llmCall("endpoint_refused");
    LOG.warnf(
        "LLM endpoint of tenant %s refused for job %s, run %s, no call made: %s",
        chunk.tenantId(), chunk.jobId(), chunk.runId(), verdict);
    return LlmResult.of(
        new LlmOutcome(
            LlmStatus.FAILED,
            0,
            0,
            0,
            chunk.messages().size(),
            LlmEndpointGuard.REFUSED + ": " + verdict));
  }

  private static MessageResult await(Future<MessageResult> future, long deadlineNanos)
      throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    try {
      return future.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | CancellationException e) {
      return MessageResult.failed("deadline", "the LLM phase passed its deadline");
    } catch (ExecutionException e) {
      return MessageResult.failed("error", SecretRedaction.redact(String.valueOf(e.getCause())));
    }
  }
}
