package io.backfill.simulator.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.simulator.domain.Entity;
import io.backfill.simulator.domain.Relationship;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an extraction as JSON that follows the caller's JSON schema: arrays whose property name
 * speaks of entities (or people, organisations) or relationships are filled from the extraction,
 * item fields are matched by common names (name, type, email, source, relation, target...), enums
 * by case-insensitive value, and anything else gets a type-correct default.
 */
public final class SchemaAnswer {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final JsonNode root;
  private final Extraction extraction;

  private SchemaAnswer(JsonNode root, Extraction extraction) {
    this.root = root;
    this.extraction = extraction;
  }

  public static JsonNode fill(JsonNode schema, Extraction extraction) {
    return new SchemaAnswer(schema, extraction).value(schema, "", Map.of());
  }

  /** Without a schema: the shape a worker asking for plain JSON would most likely expect. */
  public static JsonNode plain(Extraction extraction) {
    ObjectNode answer = JSON.objectNode();
    ArrayNode entities = answer.putArray("entities");
    extraction.entities().forEach(e -> entities.add(fields(e)));
    ArrayNode relationships = answer.putArray("relationships");
    extraction.relationships().forEach(r -> relationships.add(fields(r)));
    return answer;
  }

  private static ObjectNode fields(Entity e) {
    ObjectNode node = JSON.objectNode().put("name", e.name()).put("type", e.type());
    return e.email() == null ? node : node.put("email", e.email());
  }

  private static ObjectNode fields(Relationship r) {
    return JSON.objectNode()
        .put("source", r.source())
        .put("relation", r.type())
        .put("target", r.target());
  }

  private JsonNode value(JsonNode schema, String property, Map<String, String> known) {
    schema = resolve(schema);
    String type = type(schema);
    String key = property.toLowerCase(Locale.ROOT);
    switch (type) {
      case "object" -> {
        ObjectNode object = JSON.objectNode();
        JsonNode properties = schema.path("properties");
        Iterator<Map.Entry<String, JsonNode>> fields = properties.properties().iterator();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          object.set(field.getKey(), value(field.getValue(), field.getKey(), known));
        }
        return object;
      }
      case "array" -> {
        return array(resolve(schema.path("items")), key);
      }
      case "string" -> {
        String text = lookup(known, key);
        return text == null ? nullOr(schema, "") : JSON.textNode(choose(schema, text));
      }
      case "number", "integer" -> {
        return key.contains("confidence") || key.contains("score")
            ? JSON.numberNode(0.9)
            : JSON.numberNode(0);
      }
      case "boolean" -> {
        return JSON.booleanNode(false);
      }
      default -> {
        return JSON.nullNode();
      }
    }
  }

  private ArrayNode array(JsonNode items, String key) {
    ArrayNode array = JSON.arrayNode();
    if (key.contains("relation")) {
      for (Relationship r : extraction.relationships()) {
        add(array, items, Map.of("source", r.source(), "relation", r.type(), "target", r.target()));
      }
    } else if (key.contains("entit")
        || key.contains("people")
        || key.contains("person")
        || key.contains("org")
        || key.contains("mention")) {
      for (Entity e : extraction.entities()) {
        if (wanted(key, e)) {
          Map<String, String> values = new LinkedHashMap<>();
          values.put("name", e.name());
          values.put("type", e.type());
          if (e.email() != null) {
            values.put("email", e.email());
          }
          add(array, items, values);
        }
      }
    }
    return array;
  }

  private static boolean wanted(String key, Entity e) {
    if (key.contains("people") || key.contains("person")) {
      return e.type().equals(Entity.PERSON);
    }
    if (key.contains("org")) {
      return e.type().equals(Entity.ORGANIZATION);
    }
    return true;
  }

  private void add(ArrayNode array, JsonNode items, Map<String, String> values) {
    if (type(items).equals("string")) {
      array.add(values.getOrDefault("name", values.get("source")));
    } else {
      array.add(value(items, "", values));
    }
  }

  /** The value for a field, by the names schemas commonly give it. */
  private static String lookup(Map<String, String> known, String key) {
    if (known.isEmpty() || key.isEmpty()) {
      return null;
    }
    for (Map.Entry<String, List<String>> synonym : SYNONYMS.entrySet()) {
      for (String word : synonym.getValue()) {
        if (key.equals(word) && known.containsKey(synonym.getKey())) {
          return known.get(synonym.getKey());
        }
      }
    }
    // A relationship's "type" is its relation.
    return key.equals("type") ? known.get("relation") : null;
  }

  private static final Map<String, List<String>> SYNONYMS =
      Map.of(
          "name", List.of("name", "text", "value", "entity", "surface", "mention"),
          "type", List.of("type", "kind", "label", "category", "entity_type", "entitytype"),
          "email", List.of("email", "address", "email_address", "domain"),
          "source", List.of("source", "subject", "from", "head", "source_entity"),
          "relation", List.of("relation", "relationship", "predicate", "relation_type", "rel"),
          "target", List.of("target", "object", "to", "tail", "target_entity"));

  /** Picks the enum value the text stands for: same word, then containing it, then the first. */
  private static String choose(JsonNode schema, String text) {
    JsonNode values = schema.path("enum");
    if (!values.isArray() || values.isEmpty()) {
      return text;
    }
    String wanted = text.toLowerCase(Locale.ROOT).replace('_', ' ');
    for (JsonNode v : values) {
      if (v.asText().toLowerCase(Locale.ROOT).replace('_', ' ').equals(wanted)) {
        return v.asText();
      }
    }
    String stem = wanted.length() > 3 ? wanted.substring(0, 3) : wanted;
    for (JsonNode v : values) {
      if (v.asText().toLowerCase(Locale.ROOT).startsWith(stem)) {
        return v.asText();
      }
    }
    return values.get(0).asText();
  }

  private static JsonNode nullOr(JsonNode schema, String fallback) {
    JsonNode type = schema.path("type");
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (t.asText().equals("null")) {
          return JSON.nullNode();
        }
      }
    }
    return JSON.textNode(fallback);
  }

  private static String type(JsonNode schema) {
    JsonNode type = schema.path("type");
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (!t.asText().equals("null")) {
          return t.asText();
        }
      }
    }
    if (type.isTextual()) {
      return type.asText();
    }
    if (schema.has("properties")) {
      return "object";
    }
    return schema.has("items") ? "array" : "null";
  }

  /** Follows a local {@code $ref} and takes the first branch of anyOf/oneOf. */
  private JsonNode resolve(JsonNode schema) {
    for (int depth = 0; depth < 10; depth++) {
      if (schema.has("$ref")) {
        String ref = schema.get("$ref").asText();
        schema = ref.startsWith("#") ? root.at(ref.substring(1)) : JSON.objectNode();
      } else if (schema.has("anyOf") || schema.has("oneOf")) {
        JsonNode branches = schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf");
        JsonNode chosen = branches.get(0);
        for (JsonNode b : branches) {
          if (!b.path("type").asText().equals("null")) {
            chosen = b;
            break;
          }
        }
        schema = chosen;
      } else {
        return schema;
      }
    }
    return schema;
  }
}
