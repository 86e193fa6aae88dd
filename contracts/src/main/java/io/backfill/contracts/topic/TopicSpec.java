package io.backfill.contracts.topic;

import java.util.HashMap;
import java.util.List;
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

  /**
   * The dead-letter topic of this one: same name + {@code .dlq}, one partition, kept 14 days, and
   * the same record size limit and compression, so any record of this topic fits in it.
   */
  public TopicSpec deadLetter() {
    Map<String, String> dlqConfigs = new HashMap<>();
    dlqConfigs.put("retention.ms", String.valueOf(Topics.DAYS_14_MS));
    for (String inherited : List.of("max.message.bytes", "compression.type")) {
      if (configs.containsKey(inherited)) {
        dlqConfigs.put(inherited, configs.get(inherited));
      }
    }
    return new TopicSpec(Topics.deadLetterOf(name), 1, dlqConfigs);
  }
}
