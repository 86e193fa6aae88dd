package io.backfill.contracts.serde;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.backfill.contracts.event.Event;
import io.backfill.contracts.serde.EventDecodingException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON mapping of Backfill's events. Unknown fields are tolerated (a newer producer may add
 * some); everything else that is not a valid event of the expected topic is an {@link
 * EventDecodingException}, never a null.
 */
public final class EventJson {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .defaultPropertyInclusion(
              JsonInclude.Value.construct(
                  JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
          .build();

  private EventJson() {}

  /** The shared mapper; do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static byte[] toBytes(Event event) {
    try {
      return MAPPER.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write " + event.getClass().getSimpleName(), e);
    }
  }

  public static String toJson(Event event) {
    return new String(toBytes(event), StandardCharsets.UTF_8);
  }

  public static <T extends Event> T fromJson(String json, Class<T> topicType) {
    return fromBytes(json == null ? null : json.getBytes(StandardCharsets.UTF_8), topicType);
  }

  /**
   * Reads an event of a topic's type (the sealed interface, e.g. {@code RunEvent.class}) or of one
   * concrete record.
   */
  public static <T extends Event> T fromBytes(byte[] json, Class<T> topicType) {
    String expected = topicType.getSimpleName();
    if (json == null || json.length == 0) {
      throw new EventDecodingException(Reason.EMPTY, expected, "the record has no value", null);
    }
    // The first token alone tells null, not-an-object and malformed openings apart; the event is
    // then bound in one streaming pass, without an intermediate tree (a chunk holds 100 bodies).
    JsonToken first;
    try (JsonParser opening = MAPPER.createParser(json)) {
      first = opening.nextToken();
    } catch (IOException e) {
      throw malformed(expected, e);
    }
    if (first == null || first == JsonToken.VALUE_NULL) {
      throw new EventDecodingException(Reason.EMPTY, expected, "the record is JSON null", null);
    }
    if (first != JsonToken.START_OBJECT) {
      throw new EventDecodingException(
          Reason.MALFORMED_JSON, expected, "an event is a JSON object, not " + kind(first), null);
    }
    T event;
    try {
      event = MAPPER.readValue(json, topicType);
    } catch (IOException e) {
      // Binding stops at the first problem it meets; malformed JSON anywhere is reported as such
      // before any field problem, so the whole record is checked for form on this path only.
      String formProblem = formProblem(json);
      if (formProblem != null) {
        throw new EventDecodingException(Reason.MALFORMED_JSON, expected, formProblem, e);
      }
      throw fieldProblem(expected, e);
    }
    return event;
  }

  /** The reason a well-formed record is not an event of the topic. */
  private static EventDecodingException fieldProblem(String expected, IOException failure) {
    if (failure instanceof InvalidTypeIdException e) {
      boolean missing = e.getTypeId() == null;
      return new EventDecodingException(
          missing ? Reason.MISSING_TYPE : Reason.UNKNOWN_TYPE,
          expected,
          missing ? "no 'type' property" : "'" + e.getTypeId() + "' is not an event of " + expected,
          e);
    }
    if (failure instanceof ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new EventDecodingException(
          Reason.INVALID_FIELDS, expected, cause.getMessage() + path(e), e);
    }
    if (failure instanceof MismatchedInputException e) {
      return new EventDecodingException(
          Reason.INVALID_FIELDS, expected, e.getOriginalMessage() + path(e), e);
    }
    if (failure instanceof JsonMappingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
      return new EventDecodingException(Reason.INVALID_FIELDS, expected, message + path(e), e);
    }
    if (failure instanceof JsonProcessingException e) {
      return new EventDecodingException(Reason.INVALID_FIELDS, expected, e.getOriginalMessage(), e);
    }
    return malformed(expected, failure);
  }

  /** Why {@code json} is not one well-formed JSON value, or null when it is. */
  private static String formProblem(byte[] json) {
    try (JsonParser parser = MAPPER.createParser(json)) {
      parser.nextToken();
      parser.skipChildren();
      JsonToken trailing = parser.nextToken();
      return trailing == null ? null : "trailing content after the event: " + trailing;
    } catch (JsonProcessingException e) {
      return e.getOriginalMessage();
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  private static EventDecodingException malformed(String expected, IOException e) {
    String message =
        e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
    return new EventDecodingException(Reason.MALFORMED_JSON, expected, message, e);
  }

  /** The JSON type a value opening with {@code token} has, as the node types name it. */
  private static JsonNodeType kind(JsonToken token) {
    return switch (token) {
      case START_ARRAY -> JsonNodeType.ARRAY;
      case VALUE_STRING -> JsonNodeType.STRING;
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> JsonNodeType.NUMBER;
      case VALUE_TRUE, VALUE_FALSE -> JsonNodeType.BOOLEAN;
      default -> JsonNodeType.MISSING;
    };
  }

  private static String path(JsonMappingException e) {
    String path = e.getPathReference();
    return path == null || path.isEmpty() ? "" : " at " + path;
  }
}
