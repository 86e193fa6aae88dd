package io.backfill.contracts.topic;

import java.util.HashMap;
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
   * the same compression, and a record size limit {@link Topics#DEAD_LETTER_HEADROOM_BYTES} larger
   * than this topic's, so any record of this topic fits in it with its dead-letter headers.
   */
  public TopicSpec deadLetter() {
    Map<String, String> dlqConfigs = new HashMap<>();
    dlqConfigs.put("retention.ms", String.valueOf(Topics.DAYS_14_MS));
    if (configs.containsKey("compression.type")) {
      dlqConfigs.put("compression.type", configs.get("compression.type"));
    }
    dlqConfigs.put(
        "max.message.bytes", String.valueOf(maxMessageBytes() + Topics.DEAD_LETTER_HEADROOM_BYTES));
    return new TopicSpec(Topics.deadLetterOf(name), 1, dlqConfigs);
  }

  /**
   * The configs to create this topic with at {@code replicationFactor}: its own, and {@code
   * min.insync.replicas} from {@link Topics#minInsyncReplicas}, so an acks=all write is on more
   * than one broker whenever there is more than one replica to lose.
   */
  public Map<String, String> configsFor(short replicationFactor) {
    Map<String, String> all = new HashMap<>(configs);
    all.put(
        Topics.MIN_INSYNC_REPLICAS, String.valueOf(Topics.minInsyncReplicas(replicationFactor)));
    return Map.copyOf(all);
  }

  /** The topic's record size limit: its {@code max.message.bytes}, else the events' default. */
  public int maxMessageBytes() {
    String configured = configs.get("max.message.bytes");
    return configured == null ? Topics.EVENT_MAX_MESSAGE_BYTES : Integer.parseInt(configured);
  }
}
