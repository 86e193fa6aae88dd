package io.backfill.contracts.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.contracts.serde.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON Schemas and examples in {@code docs/events/} are what producers outside Java read, so
 * they must match the records exactly. Regenerate them with {@code -Dbackfill.events.write=true}.
 */
class PublishedEventDocsTest {

  private static final Path DOCS =
      Path.of(System.getProperty("backfill.project.root", "..")).resolve("docs/events");
  private static final boolean WRITE = Boolean.getBoolean("backfill.events.write");
  private static final EventSchemas SCHEMAS = new EventSchemas();
  private static final ObjectWriter PRETTY = EventJson.mapper().writerWithDefaultPrettyPrinter();

  static Stream<String> types() {
    return ExampleEvents.all().keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void goldenExampleFileMatchesTheRecordBothWays(String type) throws IOException {
    Event example = ExampleEvents.all().get(type);
    Path file = DOCS.resolve(type + ".example.json");
    String expected = PRETTY.writeValueAsString(example) + "\n";
    writeIfAsked(file, expected);

    String golden = Files.readString(file, StandardCharsets.UTF_8);

    assertThat(golden).isEqualTo(expected);
    assertThat(EventJson.fromJson(golden, EventRoundTripTest.topicTypeOf(example)))
        .isEqualTo(example);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  @SuppressWarnings("unchecked")
  void publishedSchemaMatchesTheRecord(String type) throws IOException {
    Class<? extends Event> recordType = ExampleEvents.all().get(type).getClass();
    Path file = DOCS.resolve(type + ".schema.json");
    String expected = PRETTY.writeValueAsString(SCHEMAS.schemaOf(recordType)) + "\n";
    writeIfAsked(file, expected);

    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void exampleHasEveryRequiredPropertyOfItsSchema(String type) throws IOException {
    Event example = ExampleEvents.all().get(type);
    ObjectNode schema = SCHEMAS.schemaOf(example.getClass());
    JsonNode json = EventJson.mapper().readTree(EventJson.toBytes(example));

    for (JsonNode required : schema.get("required")) {
      assertThat(json.has(required.asText())).as(required.asText()).isTrue();
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
      assertThat(schema.get("properties").has(it.next().getKey())).isTrue();
    }
  }

  private static void writeIfAsked(Path file, String content) throws IOException {
    if (WRITE) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    }
  }
}
