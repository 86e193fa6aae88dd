package io.backfill.gateway.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.gateway.api.validation.SecondPass;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.validation.groups.Default;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * JSON request bodies, read strictly and answered with 400 problems naming each field. A body is
 * read into a tree (duplicate keys and trailing tokens refused), its fields' JSON types are checked
 * against the request record's components, and the well-typed fields are bound to the record with
 * Jackson and checked with Bean Validation. Every field problem is reported at once, one per field,
 * so a client fixes its request in one round. Bodies are read as bytes by the resources, and
 * validated here explicitly, so size and Content-Type are judged before any parsing and no
 * framework answer replaces these problems.
 */
@ApplicationScoped
public class JsonBodies {

  /** Every admin or command body read by {@link #object} is a few short strings. */
  static final int MAX_BYTES = 4096;

  static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final List<Class<?>> GROUPS = List.of(Default.class, SecondPass.class);

  private final Validator validator;

  JsonBodies(Validator validator) {
    this.validator = validator;
  }

  /**
   * The body of an admin or command endpoint as a JSON object, or null when it is empty and not
   * required. Its fields must be components of {@code type}; any other is refused on its own.
   */
  static JsonNode object(
      byte[] raw, String contentType, boolean required, Class<? extends Record> type, String slug) {
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
    List<String> fields = fields(type);
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

  /**
   * Binds a JSON object (null: an empty one) to {@code type} and validates it. Unknown fields, a
   * field whose JSON type does not fit its component (told {@code wrongType.apply(field)}) and
   * every constraint violation are added to {@code errors}, at most one per field.
   *
   * @return the record, or null when {@code errors} got an entry
   */
  <T extends Record> T bind(
      JsonNode body,
      Class<T> type,
      Function<String, String> wrongType,
      List<Problem.FieldError> errors) {
    Map<String, Class<?>> components = new LinkedHashMap<>();
    for (RecordComponent component : type.getRecordComponents()) {
      components.put(component.getName(), component.getType());
    }
    List<Problem.FieldError> found = new ArrayList<>();
    ObjectNode bindable = STRICT.createObjectNode();
    JsonNode given = body == null ? STRICT.createObjectNode() : body;
    for (Map.Entry<String, JsonNode> field : given.properties()) {
      String name = field.getKey();
      Class<?> expected = components.get(name);
      if (expected == null) {
        found.add(
            new Problem.FieldError(
                name, "unknown field; accepted: " + String.join(", ", components.keySet())));
      } else if (fits(field.getValue(), expected)) {
        bindable.set(name, field.getValue());
      } else {
        found.add(new Problem.FieldError(name, wrongType.apply(name)));
      }
    }
    T value;
    try {
      value = STRICT.treeToValue(bindable, type);
    } catch (JsonProcessingException e) {
      // Every bound field has its component's JSON type: binding cannot fail but by a bug.
      throw new IllegalStateException("cannot bind " + type.getSimpleName(), e);
    }
    Set<String> reported = new HashSet<>();
    found.forEach(error -> reported.add(error.field()));
    // Rules of one group on one field exclude each other or share their message, so the one kept
    // for a field is the first group's, whichever of its violations comes first.
    for (Class<?> group : GROUPS) {
      for (ConstraintViolation<T> violation : validator.validate(value, group)) {
        String field = violation.getPropertyPath().toString();
        if (reported.add(field)) {
          found.add(new Problem.FieldError(field, violation.getMessage()));
        }
      }
    }
    List<String> order = List.copyOf(components.keySet());
    found.sort(Comparator.comparingInt(error -> order.indexOf(error.field())));
    errors.addAll(found);
    return found.isEmpty() ? value : null;
  }

  /** Whether a JSON value can be bound to a component of this type (JSON null always can). */
  private static boolean fits(JsonNode value, Class<?> type) {
    if (value.isNull()) {
      return true;
    }
    if (type == String.class) {
      return value.isTextual();
    }
    if (type == Boolean.class) {
      return value.isBoolean();
    }
    if (type == Integer.class) {
      return value.isIntegralNumber() && value.canConvertToInt();
    }
    throw new IllegalArgumentException("no JSON body component of type " + type);
  }

  private static List<String> fields(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
  }

  static ProblemException invalid(String slug, String field, String message) {
    return new ProblemException(
        Problem.invalid(
            slug, "The request is invalid.", List.of(new Problem.FieldError(field, message))));
  }
}
