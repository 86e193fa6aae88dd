package io.backfill.worker.llm;

import static io.backfill.worker.llm.ChatResponses.min;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.contracts.event.MailMessage;
import io.backfill.contracts.retry.Backoff;
import io.backfill.contracts.security.LlmEndpointPolicy.Verdict;
import io.backfill.contracts.security.SecretRedaction;
import io.backfill.worker.config.LlmConfig;
import io.backfill.worker.llm.TenantCredentials.LlmCredentials;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The calls of one chunk's LLM phase, one message at a time per task: the primary model, the
 * fallback after empty content, one more call after an invalid answer; 429 waited out for its
 * Retry-After (bounded), 5xx and transport failures retried with backoff, {@code max-retries}
 * times; a 401 ends the tenant's calls in the chunk, and so does an endpoint refused on its check
 * right before a call. Every call takes one of the worker's call slots and is bounded by {@code
 * call-timeout} and the phase's deadline.
 */
final class ChunkCall {

  // Logged as the LLM phase, so its one log category keeps covering every line of the phase.
  private static final Logger LOG = Logger.getLogger(OpenAiLlmExtractor.class);

  /** What one call to one model gave. */
  private sealed interface Reply {}

  private record Answered(AnswerParser.Parsed parsed) implements Reply {}

  private record Empty() implements Reply {}

  private record Invalid(String detail) implements Reply {}

  private record Failed(String reason, String detail) implements Reply {}

  private final LlmCaller caller;
  private final LlmConfig config;
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
      LlmCaller caller,
      String tenantId,
      LlmCredentials key,
      List<String> route,
      long deadlineNanos,
      String baseUrl,
      ChatCompletionsApi api) {
    this.caller = caller;
    this.config = caller.config;
    this.tenantId = tenantId;
    this.key = key;
    this.route = route;
    this.deadlineNanos = deadlineNanos;
    this.baseUrl = baseUrl;
    this.api = api;
  }

  /** How many calls the chunk's phase made so far. */
  int calls() {
    return calls.get();
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

  /**
   * The endpoint checked again right before a call: a name may be re-pointed mid-chunk. Once
   * refused, no more calls in the chunk; counted once, logged with the chunk's outcome.
   */
  private Failed refusedEndpoint() {
    String refused = endpointRefused.get();
    if (refused == null) {
      Verdict verdict = caller.endpoints.check(baseUrl);
      if (verdict.allowed()) {
        return null;
      }
      if (endpointRefused.compareAndSet(null, verdict.toString())) {
        caller.metrics.llmEndpointRefused();
        caller.metrics.llmCall("endpoint_refused");
      }
      refused = endpointRefused.get();
    }
    return new Failed(LlmEndpointGuard.REFUSED, refused);
  }

  /** One call, repeated after 429, 5xx and transport failures within the bounds. */
  private Reply ask(String model, MailMessage message) throws InterruptedException {
    ObjectNode request = caller.prompt.request(model, message);
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
      if (!caller.callSlots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        return new Failed("deadline", "no call slot free before the deadline");
      }
      if (invalidKey.get()) {
        // Refused while this task waited for a slot: no call with a key known to be bad.
        caller.callSlots.release();
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
          caller.credentials.rejected(tenantId);
        }
      } catch (RuntimeException e) {
        if (Thread.interrupted() || e.getCause() instanceof InterruptedException) {
          throw new InterruptedException("LLM call cancelled");
        }
        boolean timeout = CallFailures.isTimeout(e);
        if (timeout && deadlineNanos - System.nanoTime() < TimeUnit.MILLISECONDS.toNanos(100)) {
          // Cut short by the phase's deadline, not by its own timeout.
          return new Failed("deadline", model + ": no answer before the LLM phase's deadline");
        }
        String outcome = timeout ? "timeout" : "transport_error";
        caller.metrics.llmCall(outcome);
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
        caller.metrics.llmCallTook(System.nanoTime() - started);
        caller.callSlots.release();
      }
      try (response) {
        int status = response.getStatus();
        String body = response.hasEntity() ? response.readEntity(String.class) : "";
        if (status == 200) {
          return read(model, message, body);
        }
        if (status == 401) {
          caller.metrics.llmCall("invalid_key");
          return new Failed("invalid_key", model + " answered 401: " + errorMessage(body));
        }
        if (status == 429) {
          caller.metrics.llmCall("rate_limited");
          if (attempt >= config.maxRetries()) {
            return new Failed("rate_limited", model + " answered 429: " + errorMessage(body));
          }
          sleep(
              backoff.delay(attempt + 1, ChatResponses.retryAfter(response, config.maxBackoff())));
          continue;
        }
        if (status >= 500) {
          caller.metrics.llmCall("server_error");
          if (attempt >= config.maxRetries()) {
            return new Failed(
                "server_error", model + " answered " + status + ": " + errorMessage(body));
          }
          sleep(backoff.delay(attempt + 1));
          continue;
        }
        caller.metrics.llmCall("rejected");
        return new Failed("rejected", model + " answered " + status + ": " + errorMessage(body));
      }
    }
  }

  private Reply read(String model, MailMessage message, String body) {
    String content;
    try {
      JsonNode text =
          caller.json.readTree(body).path("choices").path(0).path("message").path("content");
      content = text.isTextual() ? text.asText() : null;
    } catch (java.io.IOException e) {
      caller.metrics.llmCall("invalid_json");
      return new Invalid(
          SecretRedaction.redact(model + ": the response is not JSON: " + e.getMessage()));
    }
    if (content == null || content.isBlank()) {
      caller.metrics.llmCall("empty_content");
      return new Empty();
    }
    try {
      AnswerParser.Parsed parsed = AnswerParser.parse(message.id(), content);
      caller.metrics.llmCall(parsed.repaired() ? "repaired" : "ok");
      return new Answered(parsed);
    } catch (AnswerParser.Invalid e) {
      caller.metrics.llmCall("invalid_json");
      return new Invalid(SecretRedaction.redact(model + ": " + e.getMessage()));
    }
  }

  private String errorMessage(String body) {
    return ChatResponses.errorMessage(caller.json, body);
  }

  private void sleep(Duration pause) throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    long nanos = Math.min(min(pause, config.maxBackoff()).toNanos(), Math.max(0, left));
    TimeUnit.NANOSECONDS.sleep(nanos);
  }
}
