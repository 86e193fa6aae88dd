package io.backfill.gateway.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.rules.Mailboxes;
import io.backfill.contracts.rules.Windows;
import io.backfill.gateway.config.GatewayConfig;
import io.backfill.gateway.domain.BackfillSubmissions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a backfill request body. Every problem is reported at once, one entry per
 * field, so a client fixes its request in one round. Strict on purpose: unknown fields are refused
 * (a misspelt {@code folder} must not silently mean "all mail").
 */
@ApplicationScoped
public class SubmitBackfillParser {

  private static final Set<String> FIELDS =
      Set.of("mailbox", "from", "to", "folder", "follow", "followIntervalSeconds");

  private static final int MAX_FOLDER_CHARS = 255;

  /** Printable ASCII: the key travels in headers, logs and the topic record. */
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final GatewayConfig config;

  SubmitBackfillParser(GatewayConfig config) {
    this.config = config;
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
    JsonNode tree = readTree(body);
    List<Problem.FieldError> errors = new ArrayList<>();
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        errors.add(
            new Problem.FieldError(
                name,
                "unknown field; accepted: mailbox, from, to, folder, follow, followIntervalSeconds"));
      }
    }
    String mailbox = mailbox(tree.get("mailbox"), errors);
    Instant from = instant(tree.get("from"), "from", errors);
    Instant to = instant(tree.get("to"), "to", errors);
    String folder = folder(tree.get("folder"), errors);
    boolean follow = follow(tree.get("follow"), errors);
    Integer interval = followInterval(tree.get("followIntervalSeconds"), follow, errors);
    if (from != null && to != null) {
      Duration window = Duration.between(from, to);
      if (!to.isAfter(from)) {
        errors.add(new Problem.FieldError("to", "must be after from (" + from + ")"));
      } else if (window.compareTo(Windows.MAX) > 0) {
        errors.add(
            new Problem.FieldError(
                "to",
                "the window is "
                    + window.toDays()
                    + " days; at most "
                    + Windows.MAX.toDays()
                    + " days are accepted in one request"));
      }
    }
    if (!errors.isEmpty()) {
      throw invalid(errors);
    }
    return new BackfillSubmissions.Request(mailbox, from, to, folder, follow, interval);
  }

  private static boolean follow(JsonNode node, List<Problem.FieldError> errors) {
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      errors.add(new Problem.FieldError("follow", "when given, true or false"));
      return false;
    }
    return node.booleanValue();
  }

  /** Shared with {@code POST /{jobId}/follow}: whole seconds within the contract's bounds. */
  static Integer followInterval(JsonNode node, boolean follow, List<Problem.FieldError> errors) {
    if (node == null || node.isNull()) {
      return null;
    }
    int min = BackfillRequested.MIN_FOLLOW_INTERVAL_SECONDS;
    int max = BackfillRequested.MAX_FOLLOW_INTERVAL_SECONDS;
    if (!node.canConvertToInt()
        || !node.isIntegralNumber()
        || node.intValue() < min
        || node.intValue() > max) {
      errors.add(
          new Problem.FieldError(
              "followIntervalSeconds", "when given, whole seconds from " + min + " to " + max));
      return null;
    }
    if (!follow) {
      errors.add(new Problem.FieldError("followIntervalSeconds", "only with \"follow\": true"));
      return null;
    }
    return node.intValue();
  }

  private static boolean isJson(String contentType) {
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json");
  }

  private static JsonNode readTree(byte[] body) {
    JsonNode tree;
    try {
      tree = body == null || body.length == 0 ? null : STRICT.readTree(body);
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

  private static String mailbox(JsonNode node, List<Problem.FieldError> errors) {
    if (node == null || node.isNull()) {
      errors.add(new Problem.FieldError("mailbox", "required"));
      return null;
    }
    String value = node.isTextual() ? node.asText().trim() : null;
    if (value == null || Mailboxes.problemWith(value).isPresent()) {
      errors.add(
          new Problem.FieldError(
              "mailbox", "must be an address like ana@contoso.com or a Graph user id (GUID)"));
      return null;
    }
    // Graph treats addresses case-insensitively; one spelling keeps a mailbox on one partition.
    return value.toLowerCase(Locale.ROOT);
  }

  private static Instant instant(JsonNode node, String field, List<Problem.FieldError> errors) {
    if (node == null || node.isNull()) {
      errors.add(new Problem.FieldError(field, "required"));
      return null;
    }
    if (node.isTextual()) {
      Instant parsed = parseInstant(node.asText().trim());
      if (parsed != null && InputText.inRange(parsed)) {
        return parsed;
      }
      if (parsed != null) {
        errors.add(new Problem.FieldError(field, "must lie between 1970-01-01 and 9999-12-31"));
        return null;
      }
    }
    errors.add(
        new Problem.FieldError(
            field,
            "must be an ISO-8601 date-time with offset (2024-01-01T00:00:00Z) or a date (2024-01-01)"));
    return null;
  }

  private static Instant parseInstant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notADateTime) {
      try {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException | ArithmeticException notADate) {
        return null;
      }
    } catch (ArithmeticException outOfInstantRange) {
      return null;
    }
  }

  private static String folder(JsonNode node, List<Problem.FieldError> errors) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.asText().isBlank() || node.asText().length() > MAX_FOLDER_CHARS) {
      errors.add(
          new Problem.FieldError(
              "folder",
              "when given, a folder name or id of 1 to " + MAX_FOLDER_CHARS + " characters"));
      return null;
    }
    String unsafe = InputText.problem(node.asText(), MAX_FOLDER_CHARS);
    if (unsafe != null) {
      errors.add(new Problem.FieldError("folder", unsafe));
      return null;
    }
    return node.asText().trim();
  }

  private static ProblemException invalid(List<Problem.FieldError> errors) {
    return new ProblemException(
        Problem.invalid("invalid-backfill-request", "The backfill request is invalid.", errors));
  }
}
