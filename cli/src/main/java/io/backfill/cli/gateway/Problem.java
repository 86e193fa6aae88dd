package io.backfill.cli.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An error the gateway answered with: its {@code application/problem+json} body (RFC 9457), or what
 * can be said without one (a proxy's HTML page, an empty 502).
 *
 * @param errors one entry per invalid field, for a 400
 */
public record Problem(
    String type, String title, int status, String detail, List<FieldError> errors) {

  /** One invalid field (or header, or the body) and what is wrong with it. */
  public record FieldError(String field, String message) {}

  public Problem {
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /** The problem in {@code body}, or a plain one named after the HTTP status when it is not one. */
  static Problem from(int status, JsonNode body) {
    if (body == null || !body.isObject() || !body.hasNonNull("title")) {
      return new Problem(null, "HTTP " + status, status, null, List.of());
    }
    List<FieldError> errors = new ArrayList<>();
    for (JsonNode error : body.path("errors")) {
      errors.add(new FieldError(error.path("field").asText(""), error.path("message").asText("")));
    }
    return new Problem(
        text(body, "type"),
        body.path("title").asText(),
        body.path("status").asInt(status),
        text(body, "detail"),
        errors);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  /**
   * {@code Invalid request (400): The request is invalid.} — one line, without the field errors.
   */
  public String summary() {
    StringBuilder line = new StringBuilder(title).append(" (").append(status).append(')');
    if (detail != null && !detail.isBlank()) {
      line.append(": ").append(detail.strip());
    }
    return line.toString();
  }
}
