package io.backfill.contracts.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backfill.contracts.event.BackfillRequestEvent;
import io.backfill.contracts.event.BackfillRequested;
import io.backfill.contracts.event.ExampleEvents;
import io.backfill.contracts.event.JobEvent;
import io.backfill.contracts.event.RunEvent;
import io.backfill.contracts.serde.EventDecodingException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventDecodingTest {

  private static ObjectNode requestJson() throws Exception {
    return (ObjectNode)
        EventJson.mapper()
            .readTree(EventJson.toBytes(ExampleEvents.all().get("BackfillRequested")));
  }

  private static EventDecodingException decodeFailure(
      String json, Class<? extends io.backfill.contracts.event.Event> type) {
    try {
      EventJson.fromJson(json, type);
    } catch (EventDecodingException e) {
      return e;
    }
    throw new AssertionError("decoded without failure: " + json);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "not json", "{\"type\":\"BackfillRequested\",", "[1,2"})
  void malformedJsonIsAMalformedJsonFailure(String json) {
    assertThat(decodeFailure(json, BackfillRequestEvent.class).reason())
        .isEqualTo(Reason.MALFORMED_JSON);
  }

  @Test
  void anEventCutAnywhereIsMalformedJsonNotAFieldFailure() throws Exception {
    ObjectNode typeLast = requestJson();
    typeLast.set("type", typeLast.remove("type"));

    for (String json : List.of(requestJson().toString(), typeLast.toString())) {
      for (int end = 1; end < json.length(); end++) {
        assertThat(decodeFailure(json.substring(0, end), BackfillRequestEvent.class).reason())
            .as("cut after %d of %d characters", end, json.length())
            .isEqualTo(Reason.MALFORMED_JSON);
      }
    }
  }

  @Test
  void bytesThatAreNotUtf8AreMalformedJsonNotReplacedCharacters() throws Exception {
    byte[] event = requestJson().toString().getBytes(StandardCharsets.UTF_8);
    String json = new String(event, StandardCharsets.UTF_8);
    // 0xC3 0x28: a two-byte sequence whose second byte is not a continuation byte.
    int inTheFirstString = json.indexOf('"', json.indexOf(':')) + 1;
    event[inTheFirstString] = (byte) 0xC3;
    event[inTheFirstString + 1] = (byte) 0x28;

    assertThatThrownBy(() -> EventJson.fromBytes(event, BackfillRequestEvent.class))
        .isInstanceOfSatisfying(
            EventDecodingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_JSON));
  }

  @Test
  void aValueThatIsNotAnObjectIsMalformedAndNamesItsType() {
    EventDecodingException failure = decodeFailure("[1,2]", RunEvent.class);

    assertThat(failure.reason()).isEqualTo(Reason.MALFORMED_JSON);
    assertThat(failure.getMessage()).contains("not ARRAY");
  }

  @Test
  void emptyRecordIsAnEmptyFailureNotANull() {
    assertThatThrownBy(() -> EventJson.fromBytes(new byte[0], RunEvent.class))
        .isInstanceOfSatisfying(
            EventDecodingException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EMPTY));
    assertThatThrownBy(() -> EventJson.fromBytes(null, RunEvent.class))
        .isInstanceOf(EventDecodingException.class);
    assertThat(decodeFailure("null", RunEvent.class).reason()).isEqualTo(Reason.EMPTY);
  }

  @Test
  void trailingContentAfterTheEventIsMalformed() throws Exception {
    String json = requestJson() + " {\"more\":1}";

    assertThat(decodeFailure(json, BackfillRequestEvent.class).reason())
        .isEqualTo(Reason.MALFORMED_JSON);
  }

  @Test
  void missingTypeIsNamedAsSuch() throws Exception {
    ObjectNode json = requestJson();
    json.remove("type");

    EventDecodingException failure = decodeFailure(json.toString(), BackfillRequestEvent.class);

    assertThat(failure.reason()).isEqualTo(Reason.MISSING_TYPE);
    assertThat(failure.getMessage()).contains("type");
  }

  @Test
  void unknownTypeNamesTheTypeAndTheTopicType() throws Exception {
    ObjectNode json = requestJson().put("type", "BackfillWished");

    EventDecodingException failure = decodeFailure(json.toString(), BackfillRequestEvent.class);

    assertThat(failure.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
    assertThat(failure.getMessage()).contains("BackfillWished").contains("BackfillRequestEvent");
    assertThat(failure.expectedType()).isEqualTo("BackfillRequestEvent");
  }

  @Test
  void anEventOfAnotherTopicIsAnUnknownType() {
    String jobEvent = EventJson.toJson(ExampleEvents.all().get("JobAccepted"));

    assertThat(decodeFailure(jobEvent, RunEvent.class).reason()).isEqualTo(Reason.UNKNOWN_TYPE);
    assertThat(EventJson.fromJson(jobEvent, JobEvent.class)).isNotNull();
  }

  @Test
  void missingRequiredFieldNamesTheField() throws Exception {
    ObjectNode json = requestJson();
    json.remove("mailbox");

    EventDecodingException failure = decodeFailure(json.toString(), BackfillRequestEvent.class);

    assertThat(failure.reason()).isEqualTo(Reason.INVALID_FIELDS);
    assertThat(failure.getMessage()).contains("mailbox");
  }

  @Test
  void missingPrimitiveFieldIsAFailureNotAZero() throws Exception {
    ObjectNode json = requestJson();
    json.remove("schemaVersion");

    assertThat(decodeFailure(json.toString(), BackfillRequestEvent.class).reason())
        .isEqualTo(Reason.INVALID_FIELDS);
  }

  @Test
  void blankFieldIsRejectedByTheRecord() throws Exception {
    ObjectNode json = requestJson().put("tenantId", "  ");

    EventDecodingException failure = decodeFailure(json.toString(), BackfillRequestEvent.class);

    assertThat(failure.reason()).isEqualTo(Reason.INVALID_FIELDS);
    assertThat(failure.getMessage()).contains("tenantId");
  }

  @Test
  void wronglyTypedFieldIsAnInvalidFieldFailure() throws Exception {
    ObjectNode json = requestJson().put("from", "last tuesday");

    EventDecodingException failure = decodeFailure(json.toString(), BackfillRequestEvent.class);

    assertThat(failure.reason()).isEqualTo(Reason.INVALID_FIELDS);
    assertThat(failure.getMessage()).contains("from");
  }

  @Test
  void malformedIdInsideAnEventIsAnInvalidFieldFailure() {
    String json =
        EventJson.toJson(ExampleEvents.all().get("RunStarted"))
            .replace(ExampleEvents.EXTRACT_RUN.value(), "extract:not-a-job:3");

    EventDecodingException failure = decodeFailure(json, RunEvent.class);

    assertThat(failure.reason()).isEqualTo(Reason.INVALID_FIELDS);
    assertThat(failure.getMessage()).contains("runId");
  }

  @Test
  void unknownExtraFieldsAreToleratedForForwardCompatibility() throws Exception {
    ObjectNode json = requestJson().put("priority", "high");
    json.putObject("tracing").put("span", "abc");

    BackfillRequestEvent read = EventJson.fromJson(json.toString(), BackfillRequestEvent.class);

    assertThat(read).isEqualTo(ExampleEvents.all().get("BackfillRequested"));
  }

  @Test
  void optionalFieldMayBeAbsent() throws Exception {
    ObjectNode json = requestJson();
    json.remove("folder");

    BackfillRequested read =
        (BackfillRequested) EventJson.fromJson(json.toString(), BackfillRequestEvent.class);

    assertThat(read.folder()).isNull();
  }

  @Test
  void kafkaDeserializerRaisesSerializationExceptionCarryingTheReason() {
    try (var deserializer = new EventDeserializer<>(RunEvent.class)) {
      deserializer.configure(Map.of(), false);

      assertThatThrownBy(
              () -> deserializer.deserialize("run.events", "oops".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("run.events")
          .cause()
          .isInstanceOfSatisfying(
              EventDecodingException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_JSON));
    }
  }

  @Test
  void kafkaDeserializerRefusesAConfiguredTypeThatIsNotAnEvent() {
    try (var deserializer = new EventDeserializer<>()) {
      assertThatThrownBy(
              () ->
                  deserializer.configure(
                      Map.of(EventDeserializer.EVENT_TYPE_CONFIG, "java.lang.String"), false))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not a Backfill event type");
    }
  }
}
