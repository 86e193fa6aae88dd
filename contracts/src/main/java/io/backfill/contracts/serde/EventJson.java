package io.backfill.contracts.serde;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new EventDecodingException(Reason.MALFORMED_JSON, expected, e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new EventDecodingException(Reason.MALFORMED_JSON, expected, e.getMessage(), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new EventDecodingException(Reason.EMPTY, expected, "the record is JSON null", null);
    }
    if (!tree.isObject()) {
      throw new EventDecodingException(
          Reason.MALFORMED_JSON,
          expected,
          "an event is a JSON object, not " + tree.getNodeType(),
          null);
    }
    T event;
    try {
      event = MAPPER.treeToValue(tree, topicType);
    } catch (InvalidTypeIdException e) {
      boolean missing = e.getTypeId() == null;
      throw new EventDecodingException(
          missing ? Reason.MISSING_TYPE : Reason.UNKNOWN_TYPE,
          expected,
          missing ? "no 'type' property" : "'" + e.getTypeId() + "' is not an event of " + expected,
          e);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new EventDecodingException(
          Reason.INVALID_FIELDS, expected, cause.getMessage() + path(e), e);
    } catch (MismatchedInputException e) {
      throw new EventDecodingException(
          Reason.INVALID_FIELDS, expected, e.getOriginalMessage() + path(e), e);
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
      throw new EventDecodingException(Reason.INVALID_FIELDS, expected, message + path(e), e);
    } catch (JsonProcessingException e) {
      throw new EventDecodingException(Reason.INVALID_FIELDS, expected, e.getOriginalMessage(), e);
    }
    return event;
  }

  private static String path(JsonMappingException e) {
    String path = e.getPathReference();
    return path == null || path.isEmpty() ? "" : " at " + path;
  }
}
