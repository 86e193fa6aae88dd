package io.backfill.contracts.topic;

import java.util.List;
import java.util.Map;

/** Every topic Backfill uses, with its partitions and configs (ARCHITECTURE §3). */
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

  public static final TopicSpec REQUESTS = new TopicSpec(BACKFILL_REQUESTS, 6, Map.of());
  public static final TopicSpec COMMANDS = new TopicSpec(BACKFILL_COMMANDS, 6, Map.of());

  /** Retained a week: retries re-read chunks by offset, so they must outlive the retry policy. */
  public static final TopicSpec CHUNKS =
      new TopicSpec(
          BACKFILL_CHUNKS,
          12,
          Map.of(
              "compression.type", "zstd",
              "max.message.bytes", String.valueOf(CHUNK_MAX_MESSAGE_BYTES),
              "retention.ms", String.valueOf(DAYS_7_MS)));

  public static final TopicSpec RUNS = new TopicSpec(RUN_EVENTS, 12, Map.of());
  public static final TopicSpec CONTROL = new TopicSpec(RUN_CONTROL, 12, Map.of());
  public static final TopicSpec JOBS = new TopicSpec(JOB_EVENTS, 6, Map.of());
  public static final TopicSpec RESULTS = new TopicSpec(EXTRACTION_RESULTS, 6, Map.of());

  private Topics() {}

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
