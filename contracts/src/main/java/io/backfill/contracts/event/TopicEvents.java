package io.backfill.contracts.event;

import io.backfill.contracts.topic.Topics;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Which sealed event interface each topic carries. */
public final class TopicEvents {

  private static final Map<String, Class<? extends Event>> BY_TOPIC = new LinkedHashMap<>();

  static {
    BY_TOPIC.put(Topics.BACKFILL_REQUESTS, BackfillRequestEvent.class);
    BY_TOPIC.put(Topics.BACKFILL_COMMANDS, BackfillCommand.class);
    BY_TOPIC.put(Topics.BACKFILL_CHUNKS, ChunkEvent.class);
    BY_TOPIC.put(Topics.RUN_EVENTS, RunEvent.class);
    BY_TOPIC.put(Topics.RUN_CONTROL, RunControlEvent.class);
    BY_TOPIC.put(Topics.JOB_EVENTS, JobEvent.class);
    BY_TOPIC.put(Topics.EXTRACTION_RESULTS, ExtractionResultEvent.class);
  }

  private TopicEvents() {}

  public static Map<String, Class<? extends Event>> byTopic() {
    return Map.copyOf(BY_TOPIC);
  }

  public static Class<? extends Event> of(String topic) {
    Class<? extends Event> type = BY_TOPIC.get(topic);
    if (type == null) {
      throw new IllegalArgumentException("no Backfill events on topic " + topic);
    }
    return type;
  }

  /** Every concrete event record, grouped by topic in declaration order. */
  @SuppressWarnings("unchecked")
  public static List<Class<? extends Event>> concreteTypes() {
    return BY_TOPIC.values().stream()
        .flatMap(topicType -> Arrays.stream(topicType.getPermittedSubclasses()))
        .<Class<? extends Event>>map(type -> (Class<? extends Event>) type)
        .toList();
  }
}
