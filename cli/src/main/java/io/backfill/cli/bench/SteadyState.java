package io.backfill.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.gateway.GatewayClient;
import io.backfill.cli.watch.JobWatcher;
import io.backfill.stack.LocalStack;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The start mark of a run's steady state: once the gateway's status says the first {@link
 * #startAfterChunks} chunks are extracted (10 % of the run's chunks, at least 2), the CPU of every
 * part is read and the messages extracted so far noted; with {@code --profile} the JVMs' recordings
 * start just before. The steady state lasts to the end of the job.
 */
final class SteadyState {

  private final int startAfterChunks;
  private final LocalStack stack;
  private final GatewayClient client;
  private final String jobId;
  private final Path jfrDir;
  private final PrintWriter log;
  private StackCpu start;
  private long messagesAtStart;
  private Instant startedAt;
  private String loadAtStart;
  private Profiler profiler;

  /**
   * @param jfrDir where the recordings go; null: no profile
   */
  SteadyState(
      int messages,
      int afterPercent,
      LocalStack stack,
      GatewayClient client,
      String jobId,
      Path jfrDir,
      PrintWriter log) {
    this.startAfterChunks = startAfterChunks(messages, afterPercent);
    this.stack = stack;
    this.client = client;
    this.jobId = jobId;
    this.jfrDir = jfrDir;
    this.log = log;
  }

  /**
   * The chunks extracted before the start mark: 10 % of the run's chunks (of {@value
   * ProcessUsage#CHUNK_MESSAGES} messages), at least 2; -1 when that leaves no chunk after it.
   */
  static int startAfterChunks(int messages) {
    return startAfterChunks(messages, Probes.DEFAULT_STEADY_AFTER_PERCENT);
  }

  /**
   * The chunks extracted before the start mark: {@code percent} % of the run's chunks, rounded up,
   * at least 2; -1 when that leaves no chunk after it.
   */
  static int startAfterChunks(int messages, int percent) {
    int chunks = (messages + ProcessUsage.CHUNK_MESSAGES - 1) / ProcessUsage.CHUNK_MESSAGES;
    int n = Math.max(2, (int) ((chunks * (long) percent + 99) / 100));
    return n < chunks ? n : -1;
  }

  int startAfterChunks() {
    return startAfterChunks;
  }

  /** Called with every status read while the job runs; takes the mark once. */
  void onStatus(JsonNode status) {
    if (start != null || startAfterChunks < 0 || status == null) {
      return;
    }
    JsonNode progress = status.path("progress");
    if (JobWatcher.ENDED.contains(status.path("status").asText())
        || progress.path("chunksDone").asLong() < startAfterChunks) {
      return;
    }
    if (jfrDir != null) {
      // Started before the reading: the recordings' own start-up is not in the steady state.
      profiler = Profiler.start(StackCpu.jvms(stack), jfrDir, log);
    }
    JsonNode now = status;
    try {
      now = client.get("api/v1/backfills/" + jobId);
    } catch (RuntimeException e) {
      // The status that reached the mark is a few hundred ms old: its count is near enough.
      log.printf("steady state: status re-read failed (%s), using the previous one%n", e);
    }
    if (JobWatcher.ENDED.contains(now.path("status").asText())) {
      // Ended meanwhile: there is no steady state left to measure.
      return;
    }
    messagesAtStart = now.path("progress").path("messagesExtracted").asLong();
    start = StackCpu.read(stack);
    startedAt = Instant.now();
    loadAtStart = Machine.loadAverages();
  }

  /** The mark, null when the job ended before it. */
  StackCpu start() {
    return start;
  }

  long messagesAtStart() {
    return messagesAtStart;
  }

  Instant startedAt() {
    return startedAt;
  }

  String loadAtStart() {
    return loadAtStart;
  }

  /** Stops the recordings (after the end reading): the files by process, empty without any. */
  Map<String, Path> stopProfile() {
    return profiler == null ? Map.of() : profiler.stop();
  }
}
