package io.backfill.contracts.topic;

import java.util.Map;

/** A topic as Backfill creates it: name, partition count and topic-level configs. */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {

  public TopicSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("topic name is required");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be 1 or more");
    }
    configs = Map.copyOf(configs);
  }

  /** The dead-letter topic of this one: same name + {@code .dlq}, one partition, 14 days. */
  public TopicSpec deadLetter() {
    return new TopicSpec(
        Topics.deadLetterOf(name), 1, Map.of("retention.ms", String.valueOf(Topics.DAYS_14_MS)));
  }
}
