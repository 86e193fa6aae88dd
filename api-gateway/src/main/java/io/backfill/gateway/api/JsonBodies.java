package io.backfill.gateway.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Small JSON bodies of the admin and key endpoints, read strictly and answered like a backfill
 * request: a wrong Content-Type, malformed JSON, a body too large or an unknown field is a 400
 * problem naming the field, so a CLI gets one error shape for every mistake.
 */
final class JsonBodies {

  /** Every body read here is a few short strings. */
  static final int MAX_BYTES = 4096;

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private JsonBodies() {}

  /**
   * The body as a JSON object, or null when it is empty and not required.
   *
   * @param fields the fields the object may have; any other is refused
   */
  static JsonNode object(
      byte[] raw, String contentType, boolean required, Set<String> fields, String slug) {
    if (raw == null || new String(raw, StandardCharsets.UTF_8).isBlank()) {
      if (required) {
        throw invalid(slug, "body", "a JSON object is required");
      }
      return null;
    }
    if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
      throw invalid(slug, "Content-Type", "must be application/json");
    }
    if (raw.length > MAX_BYTES) {
      throw invalid(slug, "body", "at most " + MAX_BYTES + " bytes");
    }
    JsonNode node;
    try {
      node = STRICT.readTree(raw);
    } catch (java.io.IOException e) {
      // Malformed JSON (or not UTF-8): the parser's message would echo the body, so it is not used.
      throw invalid(slug, "body", "not valid JSON");
    }
    if (!required && node != null && node.isNull()) {
      // A client that serialises "no body" as JSON null means the same as an empty body.
      return null;
    }
    if (node == null || !node.isObject()) {
      throw invalid(slug, "body", "must be a JSON object");
    }
    List<Problem.FieldError> unknown = new ArrayList<>();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        unknown.add(new Problem.FieldError(name, "unknown field; expected one of " + fields));
      }
    }
    if (!unknown.isEmpty()) {
      throw new ProblemException(Problem.invalid(slug, "The request has unknown fields.", unknown));
    }
    return node;
  }

  /** A text field: null when absent or JSON null; an error when it is not a string. */
  static String text(JsonNode body, String field, List<Problem.FieldError> errors) {
    JsonNode value = body == null ? null : body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      errors.add(new Problem.FieldError(field, "must be a string"));
      return null;
    }
    // The length is checked by each caller against its own limit; this bounds the scan.
    String unsafe = InputText.problem(value.asText(), MAX_BYTES);
    if (unsafe != null) {
      errors.add(new Problem.FieldError(field, unsafe));
      return null;
    }
    return value.asText();
  }

  static ProblemException invalid(String slug, String field, String message) {
    return new ProblemException(
        Problem.invalid(
            slug, "The request is invalid.", List.of(new Problem.FieldError(field, message))));
  }
}
