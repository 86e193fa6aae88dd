package io.backfill.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.BackfillSubmissions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a backfill request: its Content-Type and size before anything is parsed, then the body as a
 * {@link SubmitBackfill} bound and validated by {@link JsonBodies}. Every problem is reported at
 * once, one entry per field, so a client fixes its request in one round. Strict on purpose: unknown
 * fields are refused (a misspelt {@code folder} must not silently mean "all mail").
 */
@ApplicationScoped
public class SubmitBackfillParser {

  /** Printable ASCII: the key travels in headers, logs and the topic record. */
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");

  private final GatewayConfig config;
  private final JsonBodies bodies;

  SubmitBackfillParser(GatewayConfig config, JsonBodies bodies) {
    this.config = config;
    this.bodies = bodies;
  }

  public String idempotencyKey(String header) {
    if (header == null) {
      return null;
    }
    if (!IDEMPOTENCY_KEY.matcher(header).matches()) {
      throw invalid(
          List.of(
              new Problem.FieldError(
                  "Idempotency-Key", "1 to 200 printable ASCII characters, no spaces")));
    }
    return header;
  }

  public BackfillSubmissions.Request parse(String contentType, byte[] body) {
    if (contentType == null || !isJson(contentType)) {
      throw invalid(
          List.of(
              new Problem.FieldError(
                  "Content-Type",
                  "must be application/json, was "
                      + (contentType == null ? "absent" : contentType))));
    }
    int max = config.submit().maxBodyBytes();
    if (body != null && body.length > max) {
      throw invalid(
          List.of(
              new Problem.FieldError(
                  "body", "is " + body.length + " bytes; at most " + max + " are accepted")));
    }
    List<Problem.FieldError> errors = new ArrayList<>();
    SubmitBackfill request =
        bodies.bind(readTree(body), SubmitBackfill.class, SubmitBackfill::wrongType, errors);
    if (request == null) {
      throw invalid(errors);
    }
    return request.toRequest();
  }

  private static boolean isJson(String contentType) {
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json");
  }

  private static JsonNode readTree(byte[] body) {
    JsonNode tree;
    try {
      tree = body == null || body.length == 0 ? null : JsonBodies.STRICT.readTree(body);
    } catch (JsonProcessingException e) {
      throw invalid(
          List.of(new Problem.FieldError("body", "not valid JSON: " + e.getOriginalMessage())));
    } catch (IOException e) {
      throw invalid(List.of(new Problem.FieldError("body", "unreadable: " + e.getMessage())));
    }
    if (tree == null || !tree.isObject()) {
      throw invalid(List.of(new Problem.FieldError("body", "must be a JSON object")));
    }
    return tree;
  }

  private static ProblemException invalid(List<Problem.FieldError> errors) {
    return new ProblemException(
        Problem.invalid("invalid-backfill-request", "The backfill request is invalid.", errors));
  }
}
