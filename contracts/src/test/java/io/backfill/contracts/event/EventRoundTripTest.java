package io.backfill.contracts.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.backfill.contracts.serde.EventDeserializer;
import io.backfill.contracts.serde.EventJson;
import io.backfill.contracts.serde.EventSerializer;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventRoundTripTest {

  static Stream<Arguments> examples() {
    return ExampleEvents.all().entrySet().stream()
        .map(entry -> Arguments.of(entry.getKey(), entry.getValue()));
  }

  @Test
  void everyConcreteEventTypeHasAnExample() {
    assertThat(ExampleEvents.all().keySet())
        .containsExactlyInAnyOrderElementsOf(
            TopicEvents.concreteTypes().stream().map(Class::getSimpleName).toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void eventSurvivesJsonRoundTripReadAsItsTopicType(String name, Event event) {
    Class<? extends Event> topicType = topicTypeOf(event);

    Event read = EventJson.fromJson(EventJson.toJson(event), topicType);

    assertThat(read).isEqualTo(event);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void eventSurvivesKafkaSerdeRoundTrip(String name, Event event) {
    Class<? extends Event> topicType = topicTypeOf(event);
    try (var serializer = new EventSerializer();
        var deserializer = new EventDeserializer<Event>()) {
      deserializer.configure(
          Map.of(EventDeserializer.EVENT_TYPE_CONFIG, topicType.getName()), false);

      Event read = deserializer.deserialize("any", serializer.serialize("any", event));

      assertThat(read).isEqualTo(event);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void jsonNamesTheTypeWithTheRecordName(String name, Event event) throws Exception {
    var tree = EventJson.mapper().readTree(EventJson.toBytes(event));

    assertThat(tree.get("type").asText()).isEqualTo(name);
    assertThat(tree.has("eventId")).isTrue();
    assertThat(tree.has("schemaVersion")).isTrue();
    assertThat(tree.has("occurredAt")).isTrue();
    assertThat(tree.has("tenantId")).isTrue();
    assertThat(tree.has("key")).as("the Kafka key is not part of the payload").isFalse();
  }

  static Class<? extends Event> topicTypeOf(Event event) {
    return TopicEvents.byTopic().values().stream()
        .filter(type -> type.isInstance(event))
        .findFirst()
        .orElseThrow();
  }
}
