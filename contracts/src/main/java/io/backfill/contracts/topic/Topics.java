package io.backfill.contracts.topic;

import java.util.List;
import java.util.Map;

/** Every topic Backfill uses, with its partitions and configs. */
public final class Topics {

  public static final String BACKFILL_REQUESTS = "backfill.requests";
  public static final String BACKFILL_COMMANDS = "backfill.commands";
  public static final String BACKFILL_CHUNKS = "backfill.chunks";
  public static final String RUN_EVENTS = "run.events";
  public static final String RUN_CONTROL = "run.control";
  public static final String JOB_EVENTS = "job.events";
  public static final String EXTRACTION_RESULTS = "extraction.results";

  public static final String DLQ_SUFFIX = ".dlq";

  static final long DAYS_7_MS = 7L * 24 * 60 * 60 * 1000;
  static final long DAYS_14_MS = 14L * 24 * 60 * 60 * 1000;

  /**
   * 8 MiB: a chunk is up to 100 messages of up to 10 KB of body each plus headers and recipients;
   * zstd makes the stored record far smaller, but the limit applies before compression too.
   */
  public static final int CHUNK_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

  /**
   * 1 MiB: every topic but the chunks one. Set on the topic itself, so a record's limit does not
   * depend on the broker's default, and a consumer's dead-letter producer can be sized to it.
   */
  public static final int EVENT_MAX_MESSAGE_BYTES = 1024 * 1024;

  /**
   * 64 KiB more in a dead-letter topic than in its source: the copy carries the source record plus
   * headers (reason truncated to 1 KiB, cause, topic, partition, offset), so every record the
   * source accepted fits in its dead-letter topic.
   */
  public static final int DEAD_LETTER_HEADROOM_BYTES = 64 * 1024;

  /** The topic config that makes acks=all wait for this many in-sync replicas. */
  public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

  /**
   * {@code min.insync.replicas} for a replication factor: 2 with 3 replicas or more (an
   * acknowledged write survives the loss of one broker while one broker may be down), else 1 (a
   * single local broker, where no write could be acknowledged otherwise; or 2 replicas, which would
   * stop every write while one broker restarts).
   */
  public static short minInsyncReplicas(short replicationFactor) {
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replication factor must be 1 or more");
    }
    return replicationFactor >= 3 ? (short) 2 : (short) 1;
  }

  public static final TopicSpec REQUESTS = events(BACKFILL_REQUESTS, 6);
  public static final TopicSpec COMMANDS = events(BACKFILL_COMMANDS, 6);

  /** Retained a week: retries re-read chunks by offset, so they must outlive the retry policy. */
  public static final TopicSpec CHUNKS =
      new TopicSpec(
          BACKFILL_CHUNKS,
          12,
          Map.of(
              "compression.type", "zstd",
              "max.message.bytes", String.valueOf(CHUNK_MAX_MESSAGE_BYTES),
              "retention.ms", String.valueOf(DAYS_7_MS)));

  public static final TopicSpec RUNS = events(RUN_EVENTS, 12);
  public static final TopicSpec CONTROL = events(RUN_CONTROL, 12);
  public static final TopicSpec JOBS = events(JOB_EVENTS, 6);
  public static final TopicSpec RESULTS = events(EXTRACTION_RESULTS, 6);

  private Topics() {}

  private static TopicSpec events(String name, int partitions) {
    return new TopicSpec(
        name, partitions, Map.of("max.message.bytes", String.valueOf(EVENT_MAX_MESSAGE_BYTES)));
  }

  /** The topic named {@code name}, or its dead-letter topic; empty for a name Backfill lacks. */
  public static java.util.Optional<TopicSpec> byName(String name) {
    return all().stream().filter(spec -> spec.name().equals(name)).findFirst();
  }

  /**
   * The {@code max.request.size} a dead-letter producer for records of {@code sourceTopic} needs:
   * its dead-letter topic's record limit, so no record of the source is too large to dead-letter.
   */
  public static int deadLetterMaxRequestBytes(String sourceTopic) {
    return byName(sourceTopic)
        .map(spec -> spec.deadLetter().maxMessageBytes())
        .orElse(EVENT_MAX_MESSAGE_BYTES + DEAD_LETTER_HEADROOM_BYTES);
  }

  public static String deadLetterOf(String topic) {
    return topic + DLQ_SUFFIX;
  }

  /** All topics, each followed by its dead-letter topic. */
  public static List<TopicSpec> all() {
    return List.of(
        REQUESTS,
        REQUESTS.deadLetter(),
        COMMANDS,
        COMMANDS.deadLetter(),
        CHUNKS,
        CHUNKS.deadLetter(),
        RUNS,
        RUNS.deadLetter(),
        CONTROL,
        CONTROL.deadLetter(),
        JOBS,
        JOBS.deadLetter(),
        RESULTS,
        RESULTS.deadLetter());
  }
}
