package io.backfill.contracts.event;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.Lane;
import io.backfill.contracts.id.RunId;
import io.backfill.contracts.serde.EventJson;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

/**
 * Makes the published JSON Schema of an event from its record: a component is required unless it is
 * marked {@link OptionalField}; unknown extra properties are allowed (forward compatibility).
 */
final class EventSchemas {

  private final SchemaGenerator generator;

  EventSchemas() {
    var mapper = EventJson.mapper();
    var config =
        new SchemaGeneratorConfigBuilder(
                mapper, SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
            .with(Option.DEFINITIONS_FOR_ALL_OBJECTS)
            .without(Option.SCHEMA_VERSION_INDICATOR);
    config
        .forFields()
        .withRequiredCheck(
            field -> field.getAnnotationConsideringFieldAndGetter(OptionalField.class) == null)
        .withNullableCheck(
            field -> field.getAnnotationConsideringFieldAndGetter(OptionalField.class) != null);
    config
        .forTypesInGeneral()
        .withCustomDefinitionProvider(
            (type, context) -> {
              Class<?> raw = type.getErasedType();
              ObjectNode node = mapper.createObjectNode();
              if (raw == UUID.class || raw == JobId.class || raw == AttemptId.class) {
                node.put("type", "string").put("format", "uuid");
              } else if (raw == Instant.class) {
                node.put("type", "string").put("format", "date-time");
              } else if (raw == RunId.class) {
                node.put("type", "string")
                    .put("pattern", "^(fetch:[0-9a-f-]{36}|extract:[0-9a-f-]{36}:[1-9][0-9]*)$");
              } else if (raw == Lane.class) {
                ArrayNode values = node.put("type", "string").putArray("enum");
                Arrays.stream(Lane.values()).forEach(lane -> values.add(lane.wireName()));
              } else if (raw == LlmStatus.class) {
                ArrayNode values = node.put("type", "string").putArray("enum");
                for (LlmStatus status : LlmStatus.values()) {
                  values.add(wireName(status));
                }
              } else {
                return null;
              }
              return new CustomDefinition(
                  node,
                  CustomDefinition.DefinitionType.INLINE,
                  CustomDefinition.AttributeInclusion.NO);
            });
    generator = new SchemaGenerator(config.build());
  }

  ObjectNode schemaOf(Class<? extends Event> type) {
    ObjectNode schema = generator.generateSchema(type);
    ObjectNode ordered = EventJson.mapper().createObjectNode();
    ordered.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    ordered.put(
        "$id", "https://backfill.io/schemas/events/" + type.getSimpleName() + ".schema.json");
    ordered.put("title", type.getSimpleName());
    ordered.put(
        "description",
        "Backfill event " + type.getSimpleName() + ", on topic " + topicOf(type) + ".");
    ObjectNode properties = ordered.put("type", "object").putObject("properties");
    properties.putObject("type").put("const", type.getSimpleName());
    properties.setAll((ObjectNode) schema.get("properties"));
    ArrayNode required = ordered.putArray("required").add("type");
    if (schema.has("required")) {
      required.addAll((ArrayNode) schema.get("required"));
    }
    if (schema.has("$defs")) {
      ordered.set("$defs", schema.get("$defs"));
    }
    return ordered;
  }

  private static String topicOf(Class<? extends Event> type) {
    return TopicEvents.byTopic().entrySet().stream()
        .filter(entry -> entry.getValue().isAssignableFrom(type))
        .map(java.util.Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }

  private static String wireName(Enum<?> value) {
    try {
      JsonProperty property =
          value.getDeclaringClass().getField(value.name()).getAnnotation(JsonProperty.class);
      return property == null ? value.name() : property.value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
