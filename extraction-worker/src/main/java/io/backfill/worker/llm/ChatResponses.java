package io.backfill.worker.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backfill.contracts.security.SecretRedaction;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Optional;

/** What a chat completions error response says: its wait before a retry and its error text. */
final class ChatResponses {

  private ChatResponses() {}

  /** A 429's {@code Retry-After} (seconds), or {@code retry-after-ms}, bounded by {@code max}. */
  static Optional<Duration> retryAfter(Response response, Duration max) {
    try {
      String ms = response.getHeaderString("retry-after-ms");
      if (ms != null) {
        return Optional.of(min(Duration.ofMillis((long) Double.parseDouble(ms)), max));
      }
      String seconds = response.getHeaderString("retry-after");
      if (seconds != null) {
        return Optional.of(
            min(Duration.ofMillis((long) (Double.parseDouble(seconds.trim()) * 1000)), max));
      }
    } catch (NumberFormatException e) {
      // An HTTP date or garbage: the exponential backoff decides.
    }
    return Optional.empty();
  }

  /** The provider's error message (OpenAI's error shape) or the start of the body, redacted. */
  static String errorMessage(ObjectMapper json, String body) {
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

  static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
