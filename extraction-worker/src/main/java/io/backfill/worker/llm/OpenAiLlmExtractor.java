package io.backfill.worker.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.event.Recipient;
import io.backfill.contracts.retry.Backoff;
import io.backfill.contracts.security.LlmEndpointPolicy.Verdict;
import io.backfill.contracts.security.SecretRedaction;
import io.backfill.worker.config.LlmConfig;
import io.backfill.worker.config.WorkerConfig;
import io.backfill.worker.domain.ChunkMetrics;
import io.backfill.worker.llm.TenantCredentials.LlmCredentials;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

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
 * <p>Egress: before every call the base URL (a tenant's own or the default) passes {@link
 * LlmEndpointGuard} with the addresses it resolves to now, or the call is not made ({@code
 * llm-endpoint-refused}); redirects are not followed, so an allowed host cannot hand the call on.
 * Provider error text is passed through {@link SecretRedaction} before it reaches a log line or an
 * outcome: providers echo the key they refused.
 */
@ApplicationScoped
public class OpenAiLlmExtractor implements LlmExtractor {

  private static final Logger LOG = Logger.getLogger(OpenAiLlmExtractor.class);

  static final String SYSTEM_PROMPT =
      "You extract the people and organisations named in one email (headers and body), with each"
          + " person's address and each organisation's domain when the email shows them, and who"
          + " works at which organisation (WORKS_AT) and who emailed whom (EMAILED). Answer only"
          + " with JSON that follows the given schema; name only what the email names.";

  private final LlmConfig config;
  private final TenantCredentials credentials;
  private final ChunkMetrics metrics;
  private final LlmEndpointGuard endpoints;
  private final ObjectMapper json;
  private final int callsAtOnce;
  private final Semaphore callSlots;
  private final ExecutorService pool;
  private final LlmClients<ChatCompletionsApi> clients;

  OpenAiLlmExtractor(
      LlmConfig config,
      WorkerConfig workerConfig,
      TenantCredentials credentials,
      ChunkMetrics metrics,
      LlmEndpointGuard endpoints,
      ObjectMapper json) {
    this.config = config;
    this.credentials = credentials;
    this.metrics = metrics;
    this.endpoints = endpoints;
    this.json = json;
    this.clients =
        new LlmClients<>(config.clientCacheSize(), this::client, OpenAiLlmExtractor::close);
    this.callsAtOnce = workerConfig.sequential() ? 1 : config.maxConcurrentCalls();
    this.callSlots = new Semaphore(callsAtOnce, true);
    AtomicInteger number = new AtomicInteger();
    // Twice the call slots: a task waiting out a Retry-After holds a thread but no call slot. In
    // sequential mode one thread, so a chunk's messages are asked one after another, in order.
    this.pool =
        Executors.newFixedThreadPool(
            workerConfig.sequential() ? 1 : 2 * callsAtOnce,
            task -> {
              Thread thread = new Thread(task, "llm-call-" + number.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  void stop(@Observes ShutdownEvent shutdown) {
    pool.shutdownNow();
  }

  /** The models a tenant's chunks go to: first the primary, then the fallback, if any. */
  public List<String> route(String tenantId) {
    String tenantRoute = config.tenantModels().get(tenantId);
    List<String> models =
        tenantRoute == null
            ? config.models()
            : List.of(tenantRoute.split(",")).stream().map(String::trim).toList();
    return models.stream()
        .filter(m -> !m.isBlank() && !config.reasoningModels().contains(m))
        .limit(2)
        .toList();
  }

  @Override
  public LlmResult extract(Chunk chunk, long deadlineNanos) throws InterruptedException {
    Optional<LlmCredentials> key = credentials.llmCredentials(chunk.tenantId());
    if (key.isEmpty()) {
      metrics.llmCall("skipped_no_key");
      return LlmResult.of(LlmOutcome.skippedNoKey());
    }
    List<String> route = route(chunk.tenantId());
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
    try (LlmClients<ChatCompletionsApi>.Lease lease = clients.lease(chunk.tenantId(), baseUrl)) {
      ChunkCall call = new ChunkCall(chunk, key.get(), route, deadlineNanos, baseUrl, lease);
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
      return summarise(chunk, call, results);
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

  private LlmResult summarise(Chunk chunk, ChunkCall call, List<MessageResult> results) {
    List<LlmAnswer> answers = new ArrayList<>();
    Map<String, Integer> failures = new TreeMap<>();
    String firstDetail = null;
    int repaired = 0;
    int fallbacks = 0;
    for (MessageResult result : results) {
      if (result.answer() != null) {
        answers.add(result.answer());
        repaired += result.repaired() ? 1 : 0;
        fallbacks += result.fallback() ? 1 : 0;
      } else {
        failures.merge(result.reason(), 1, Integer::sum);
        if (result.reason().equals("deadline")) {
          metrics.llmCall("deadline");
        }
        if (firstDetail == null) {
          firstDetail = result.reason() + ": " + result.detail();
        }
      }
    }
    int failed = results.size() - answers.size();
    LlmStatus status;
    if (failed == 0) {
      status = repaired == 0 && fallbacks == 0 ? LlmStatus.OK : LlmStatus.RECOVERED;
    } else {
      status = answers.isEmpty() ? LlmStatus.FAILED : LlmStatus.PARTIAL;
    }
    String reason = null;
    if (failed > 0) {
      reason =
          failed
              + " of "
              + results.size()
              + " messages unanswered ("
              + failures.entrySet().stream()
                  .map(e -> e.getKey() + " " + e.getValue())
                  .collect(Collectors.joining(", "))
              + "); first: "
              + firstDetail;
      // Every detail is redacted where it is made; once more here, as this text leaves the worker.
      reason = SecretRedaction.redact(reason);
      // One line per chunk, on the attempt's thread (its ids in the MDC).
      LOG.warnf(
          "LLM phase of tenant %s, job %s, run %s %s: %s",
          chunk.tenantId(), chunk.jobId(), chunk.runId(), status, reason);
    } else if (status == LlmStatus.RECOVERED) {
      reason = repaired + " answers repaired, " + fallbacks + " from the fallback model";
    }
    return new LlmResult(
        new LlmOutcome(status, call.calls.get(), repaired, fallbacks, failed, reason), answers);
  }

  /** How one message ended: an answer (maybe repaired, maybe from the fallback) or a failure. */
  record MessageResult(
      LlmAnswer answer, boolean repaired, boolean fallback, String reason, String detail) {

    static MessageResult failed(String reason, String detail) {
      return new MessageResult(null, false, false, reason, detail);
    }
  }

  /** What one call to one model gave. */
  private sealed interface Reply {}

  private record Answered(AnswerParser.Parsed parsed) implements Reply {}

  private record Empty() implements Reply {}

  private record Invalid(String detail) implements Reply {}

  private record Failed(String reason, String detail) implements Reply {}

  /** The LLM phase of one chunk: shared counters and the tenant's key state. */
  private final class ChunkCall {

    private final String tenantId;
    private final LlmCredentials key;
    private final List<String> route;
    private final long deadlineNanos;
    private final String baseUrl;
    private final ChatCompletionsApi api;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean invalidKey = new AtomicBoolean();
    private final AtomicReference<String> endpointRefused = new AtomicReference<>();

    ChunkCall(
        Chunk chunk,
        LlmCredentials key,
        List<String> route,
        long deadlineNanos,
        String baseUrl,
        LlmClients<ChatCompletionsApi>.Lease lease) {
      this.tenantId = chunk.tenantId();
      this.key = key;
      this.route = route;
      this.deadlineNanos = deadlineNanos;
      this.baseUrl = baseUrl;
      this.api = lease.client();
    }

    /**
     * The endpoint checked again right before a call: a name may be re-pointed mid-chunk. Once
     * refused, no more calls in the chunk; counted once, logged with the chunk's outcome.
     */
    private Failed refusedEndpoint() {
      String refused = endpointRefused.get();
      if (refused == null) {
        Verdict verdict = endpoints.check(baseUrl);
        if (verdict.allowed()) {
          return null;
        }
        if (endpointRefused.compareAndSet(null, verdict.toString())) {
          metrics.llmEndpointRefused();
          metrics.llmCall("endpoint_refused");
        }
        refused = endpointRefused.get();
      }
      return new Failed(LlmEndpointGuard.REFUSED, refused);
    }

    MessageResult answer(MailMessage message) throws InterruptedException {
      String primary = route.get(0);
      Reply reply = ask(primary, message);
      boolean fallback = false;
      if (reply instanceof Empty && route.size() > 1) {
        fallback = true;
        reply = ask(route.get(1), message);
      }
      if (reply instanceof Invalid) {
        // One more try: the same prompt often comes back well-formed.
        reply = ask(fallback ? route.get(1) : primary, message);
      }
      if (reply instanceof Answered answered) {
        return new MessageResult(
            answered.parsed().answer(), answered.parsed().repaired(), fallback, null, null);
      }
      if (reply instanceof Empty) {
        return MessageResult.failed("empty_content", "no content from " + route);
      }
      if (reply instanceof Invalid invalid) {
        return MessageResult.failed("invalid_json", invalid.detail());
      }
      Failed failed = (Failed) reply;
      return MessageResult.failed(failed.reason(), failed.detail());
    }

    /** One call, repeated after 429, 5xx and transport failures within the bounds. */
    private Reply ask(String model, MailMessage message) throws InterruptedException {
      ObjectNode request = request(model, message);
      // Full jitter (uniform on [0, ceiling]), so the calls of many messages retrying at once
      // spread out; a 429's Retry-After replaces the wait, bounded by max-backoff.
      Backoff backoff =
          Backoff.of(config.initialBackoff(), 2.0, config.maxBackoff(), config.maxRetries());
      for (int attempt = 0; ; attempt++) {
        if (invalidKey.get()) {
          return new Failed("invalid_key", "the LLM refused the tenant's key (401)");
        }
        Failed refused = refusedEndpoint();
        if (refused != null) {
          return refused;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return new Failed("deadline", "the LLM phase passed its deadline");
        }
        if (!callSlots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          return new Failed("deadline", "no call slot free before the deadline");
        }
        if (invalidKey.get()) {
          // Refused while this task waited for a slot: no call with a key known to be bad.
          callSlots.release();
          return new Failed("invalid_key", "the LLM refused the tenant's key (401)");
        }
        Response response;
        calls.incrementAndGet();
        long started = System.nanoTime();
        try {
          response =
              api.complete("Bearer " + key.apiKey(), request)
                  .await()
                  .atMost(min(config.callTimeout(), Duration.ofNanos(left)));
          // A refused key is known before this call's slot is free again, so no task that was
          // waiting for the slot makes a call with it.
          if (response.getStatus() == 401 && invalidKey.compareAndSet(false, true)) {
            credentials.rejected(tenantId);
          }
        } catch (RuntimeException e) {
          if (Thread.interrupted() || e.getCause() instanceof InterruptedException) {
            throw new InterruptedException("LLM call cancelled");
          }
          boolean timeout = e instanceof io.smallrye.mutiny.TimeoutException || isTimeout(e);
          if (timeout && deadlineNanos - System.nanoTime() < TimeUnit.MILLISECONDS.toNanos(100)) {
            // Cut short by the phase's deadline, not by its own timeout.
            return new Failed("deadline", model + ": no answer before the LLM phase's deadline");
          }
          String outcome = timeout ? "timeout" : "transport_error";
          metrics.llmCall(outcome);
          // Summed up per chunk when the message fails; each retried one is only a debug line.
          String detail = SecretRedaction.redact(model + ": " + e);
          LOG.debugf(
              "call %d to %s for tenant %s failed: %s (%s)",
              attempt + 1, model, tenantId, outcome, detail);
          if (attempt >= config.maxRetries()) {
            return new Failed(outcome, detail);
          }
          sleep(backoff.delay(attempt + 1));
          continue;
        } finally {
          metrics.llmCallTook(System.nanoTime() - started);
          callSlots.release();
        }
        try (response) {
          int status = response.getStatus();
          String body = response.hasEntity() ? response.readEntity(String.class) : "";
          if (status == 200) {
            return read(model, message, body);
          }
          if (status == 401) {
            metrics.llmCall("invalid_key");
            return new Failed("invalid_key", model + " answered 401: " + errorMessage(body));
          }
          if (status == 429) {
            metrics.llmCall("rate_limited");
            if (attempt >= config.maxRetries()) {
              return new Failed("rate_limited", model + " answered 429: " + errorMessage(body));
            }
            sleep(backoff.delay(attempt + 1, retryAfter(response)));
            continue;
          }
          if (status >= 500) {
            metrics.llmCall("server_error");
            if (attempt >= config.maxRetries()) {
              return new Failed(
                  "server_error", model + " answered " + status + ": " + errorMessage(body));
            }
            sleep(backoff.delay(attempt + 1));
            continue;
          }
          metrics.llmCall("rejected");
          return new Failed("rejected", model + " answered " + status + ": " + errorMessage(body));
        }
      }
    }

    private Reply read(String model, MailMessage message, String body) {
      String content;
      try {
        JsonNode text = json.readTree(body).path("choices").path(0).path("message").path("content");
        content = text.isTextual() ? text.asText() : null;
      } catch (java.io.IOException e) {
        metrics.llmCall("invalid_json");
        return new Invalid(
            SecretRedaction.redact(model + ": the response is not JSON: " + e.getMessage()));
      }
      if (content == null || content.isBlank()) {
        metrics.llmCall("empty_content");
        return new Empty();
      }
      try {
        AnswerParser.Parsed parsed = AnswerParser.parse(message.id(), content);
        metrics.llmCall(parsed.repaired() ? "repaired" : "ok");
        return new Answered(parsed);
      } catch (AnswerParser.Invalid e) {
        metrics.llmCall("invalid_json");
        return new Invalid(SecretRedaction.redact(model + ": " + e.getMessage()));
      }
    }

    private void sleep(Duration pause) throws InterruptedException {
      long left = deadlineNanos - System.nanoTime();
      long nanos = Math.min(min(pause, config.maxBackoff()).toNanos(), Math.max(0, left));
      TimeUnit.NANOSECONDS.sleep(nanos);
    }
  }

  private ObjectNode request(String model, MailMessage message) {
    ObjectNode request = json.createObjectNode();
    request.put("model", model);
    request.put("temperature", 0);
    ArrayNode messages = request.putArray("messages");
    messages.addObject().put("role", "system").put("content", SYSTEM_PROMPT);
    messages.addObject().put("role", "user").put("content", prompt(message));
    ObjectNode format = request.putObject("response_format").put("type", "json_schema");
    ObjectNode schema = format.putObject("json_schema");
    schema.put("name", "mail_entities");
    schema.put("strict", true);
    schema.set("schema", AnswerParser.SCHEMA);
    return request;
  }

  /** The message's headers and its whole text body (never the preview), up to max-body-chars. */
  String prompt(MailMessage message) {
    StringBuilder text = new StringBuilder();
    if (message.from() != null) {
      text.append("From: ").append(recipient(message.from())).append('\n');
    }
    if (!message.to().isEmpty()) {
      text.append("To: ").append(recipients(message.to())).append('\n');
    }
    if (!message.cc().isEmpty()) {
      text.append("Cc: ").append(recipients(message.cc())).append('\n');
    }
    text.append("Subject: ").append(message.subject() == null ? "" : message.subject());
    text.append("\n\n");
    String body = message.body();
    text.append(
        body.length() > config.maxBodyChars() ? body.substring(0, config.maxBodyChars()) : body);
    return text.toString();
  }

  private static String recipients(List<Recipient> recipients) {
    return recipients.stream().map(OpenAiLlmExtractor::recipient).collect(Collectors.joining(", "));
  }

  private static String recipient(Recipient r) {
    return r.name() == null || r.name().isBlank()
        ? r.address()
        : r.name() + " <" + r.address() + ">";
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

  /** A 429's {@code Retry-After} (seconds), or {@code retry-after-ms}, bounded by max-backoff. */
  private Optional<Duration> retryAfter(Response response) {
    try {
      String ms = response.getHeaderString("retry-after-ms");
      if (ms != null) {
        return Optional.of(
            min(Duration.ofMillis((long) Double.parseDouble(ms)), config.maxBackoff()));
      }
      String seconds = response.getHeaderString("retry-after");
      if (seconds != null) {
        return Optional.of(
            min(
                Duration.ofMillis((long) (Double.parseDouble(seconds.trim()) * 1000)),
                config.maxBackoff()));
      }
    } catch (NumberFormatException e) {
      // An HTTP date or garbage: the exponential backoff decides.
    }
    return Optional.empty();
  }

  private String errorMessage(String body) {
    try {
      JsonNode message = json.readTree(body).path("error").path("message");
      if (message.isTextual()) {
        return SecretRedaction.redact(message.asText());
      }
    } catch (java.io.IOException | RuntimeException e) {
      // Not OpenAI's error shape: show the start of the body instead.
    }
    return SecretRedaction.redact(body.length() > 200 ? body.substring(0, 200) : body);
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException
          || t instanceof java.net.SocketTimeoutException
          || t.getClass().getSimpleName().contains("Timeout")) {
        return true;
      }
    }
    return false;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
