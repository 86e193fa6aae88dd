package io.backfill.contracts.id;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.UUID;

/** One execution of a run, made by the executor that runs it. */
public record AttemptId(UUID value) {

  public AttemptId {
    if (value == null) {
      throw new IllegalArgumentException("attemptId is required");
    }
  }

  public static AttemptId random() {
    return new AttemptId(UUID.randomUUID());
  }

  @JsonCreator
  public static AttemptId parse(String value) {
    if (value == null
        || !value.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
      throw new IllegalArgumentException(
          "attemptId must be a lower-case canonical UUID, was '" + value + "'");
    }
    return new AttemptId(UUID.fromString(value));
  }

  @JsonValue
  public String wireValue() {
    return value.toString();
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
