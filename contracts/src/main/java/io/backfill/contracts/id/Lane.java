package io.backfill.contracts.id;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The kinds of run. Each lane has its own executor, heartbeat rules and retry policy. */
public enum Lane {
  /** The paging loop of one job in the fetcher: runId {@code fetch:<jobId>}. */
  FETCH("fetch"),
  /** The extraction of one chunk in a worker: runId {@code extract:<jobId>:<seq>}. */
  EXTRACT("extract"),
  /**
   * One delta round of a followed job in the fetcher: runId {@code follow:<jobId>:<round>}, rounds
   * counted from 1.
   */
  FOLLOW("follow");

  private final String wireName;

  Lane(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  @JsonCreator
  public static Lane fromWireName(String wireName) {
    return Arrays.stream(values())
        .filter(lane -> lane.wireName.equals(wireName))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown lane '" + wireName + "', expected fetch, extract or follow"));
  }
}
