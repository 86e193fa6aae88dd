package io.backfill.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * A job's status as {@code GET /api/v1/backfills/{jobId}} serves it, for people: the job, its
 * progress and counts, its runs by state, active attempts, timeouts with their diagnosis, and the
 * last errors with the top of their stack trace.
 */
public final class StatusReport {

  /** Stack trace lines shown per error; {@code --json} has them all. */
  private static final int TRACE_LINES = 4;

  private StatusReport() {}

  public static List<String> lines(JsonNode status) {
    List<String> lines = new ArrayList<>();
    JsonNode progress = status.path("progress");
    lines.add(
        "Job %s  %s%s"
            .formatted(
                Formats.text(status.get("jobId")),
                Formats.text(status.get("status")).toUpperCase(java.util.Locale.ROOT),
                status.hasNonNull("reason") ? " (" + status.get("reason").asText() + ")" : ""));
    lines.add(
        "  mailbox    %s%s   tenant %s   request %s"
            .formatted(
                Formats.text(status.get("mailbox")),
                status.hasNonNull("folder") ? " folder " + status.get("folder").asText() : "",
                Formats.text(status.get("tenantId")),
                Formats.text(status.get("requestId"))));
    lines.add(
        "  window     [%s, %s)"
            .formatted(
                Formats.instant(status.path("window").get("from")),
                Formats.instant(status.path("window").get("to"))));
    lines.add("  progress   " + progress(progress));
    lines.add("  counts     " + counts(status.path("counts")));
    if (status.hasNonNull("follow")) {
      lines.add("  follow     " + follow(status.get("follow")));
    }
    lines.add(
        "  updated    %s (created %s)"
            .formatted(
                Formats.instant(status.get("updatedAt")),
                Formats.instant(status.get("createdAt"))));
    runs(status, lines);
    timeouts(status.path("timeouts"), lines);
    errors(status.path("lastErrors"), lines);
    return lines;
  }

  /**
   * {@code following every 300 s rounds 12, last …, lag 40 s changes created 3, updated 1,
   * unchanged 20, deleted 2 resyncs 0}.
   */
  public static String follow(JsonNode follow) {
    StringBuilder text = new StringBuilder(Formats.text(follow.get("state")));
    if (follow.hasNonNull("intervalSeconds")) {
      text.append(" every ").append(follow.get("intervalSeconds").asInt()).append(" s");
    }
    text.append("  rounds ").append(Formats.count(follow.path("rounds").asLong()));
    if (follow.hasNonNull("lastRoundAt")) {
      text.append(", last ").append(Formats.instant(follow.get("lastRoundAt")));
    }
    if (follow.hasNonNull("lagSeconds")) {
      text.append(", lag ").append(follow.get("lagSeconds").asLong()).append(" s");
    }
    JsonNode changes = follow.path("changes");
    text.append("  changes created ")
        .append(Formats.count(changes.path("created").asLong()))
        .append(", updated ")
        .append(Formats.count(changes.path("updated").asLong()))
        .append(", unchanged ")
        .append(Formats.count(changes.path("unchanged").asLong()))
        .append(", deleted ")
        .append(Formats.count(changes.path("deleted").asLong()));
    text.append("  resyncs ").append(Formats.count(follow.path("resyncs").asLong()));
    return text.toString();
  }

  /** {@code 45% chunks 9/20, more coming messages fetched 2,000, extracted 900 eta …}. */
  public static String progress(JsonNode progress) {
    StringBuilder text =
        new StringBuilder()
            .append(progress.path("percent").asInt())
            .append("%  chunks ")
            .append(Formats.count(progress.path("chunksDone").asLong()))
            .append('/')
            .append(Formats.count(progress.path("chunksKnown").asLong()));
    if (progress.path("hasMore").asBoolean()) {
      text.append(", more coming");
    }
    if (progress.path("failedChunks").asInt() > 0) {
      text.append(", ").append(progress.get("failedChunks").asInt()).append(" failed");
    }
    text.append("  messages fetched ")
        .append(Formats.count(progress.path("messagesFetched").asLong()))
        .append(", extracted ")
        .append(Formats.count(progress.path("messagesExtracted").asLong()));
    if (progress.hasNonNull("eta")) {
      text.append("  eta ").append(Formats.instant(progress.get("eta")));
    }
    return text.toString();
  }

  /** {@code entities 3,400 relationships 1,200 embeddings 900 llm ok 9, skipped_no_key 1}. */
  public static String counts(JsonNode counts) {
    return "entities %s  relationships %s  embeddings %s  llm %s"
        .formatted(
            Formats.count(counts.path("entities").asLong()),
            Formats.count(counts.path("relationships").asLong()),
            Formats.count(counts.path("embeddings").asLong()),
            llmOutcomes(counts.path("llmOutcomes")));
  }

  /** {@code ok 9, skipped_no_key 1}, or {@code -} before any chunk was extracted. */
  public static String llmOutcomes(JsonNode outcomes) {
    StringJoiner joined = new StringJoiner(", ");
    Iterator<Map.Entry<String, JsonNode>> fields = outcomes.properties().iterator();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> outcome = fields.next();
      joined.add(outcome.getKey() + " " + Formats.count(outcome.getValue().asLong()));
    }
    return joined.length() == 0 ? "-" : joined.toString();
  }

  /**
   * Why an attempt was timed out, in one line: {@code stale: no heartbeat for 16.0 s (stale after
   * 15.0 s), attempt age 40.0 s, progress 3/10 llm, worker w-1, build abc1234}.
   */
  public static String diagnosis(JsonNode diagnosis) {
    StringBuilder text = new StringBuilder(Formats.text(diagnosis.get("rule"))).append(':');
    Long heartbeatAge = Formats.longOrNull(diagnosis.get("heartbeatAgeMs"));
    text.append(
        heartbeatAge == null
            ? " no heartbeat ever received"
            : " last heartbeat " + Formats.millis(heartbeatAge) + " ago");
    Long staleAfter = Formats.longOrNull(diagnosis.get("staleAfterMs"));
    if (staleAfter != null) {
      text.append(" (stale after ").append(Formats.millis(staleAfter)).append(')');
    }
    text.append(", attempt age ").append(Formats.millis(diagnosis.path("attemptAgeMs").asLong()));
    JsonNode last = diagnosis.get("lastProgress");
    if (last != null && !last.isNull()) {
      text.append(", progress ").append(last.path("done").asLong());
      if (last.hasNonNull("total")) {
        text.append('/').append(last.get("total").asLong());
      }
      if (last.hasNonNull("phase")) {
        text.append(' ').append(last.get("phase").asText());
      }
    }
    if (diagnosis.hasNonNull("workerId")) {
      text.append(", worker ").append(diagnosis.get("workerId").asText());
    }
    if (diagnosis.hasNonNull("buildSha")) {
      text.append(", build ").append(Formats.shortened(diagnosis.get("buildSha").asText(), 12));
    }
    return text.toString();
  }

  private static void runs(JsonNode status, List<String> lines) {
    JsonNode runs = status.path("runs");
    Map<String, Integer> byState = new TreeMap<>();
    runs.forEach(run -> byState.merge(Formats.text(run.get("state")), 1, Integer::sum));
    StringJoiner states = new StringJoiner(", ");
    byState.forEach((state, n) -> states.add(state + " " + n));
    int total = status.path("runsTotal").asInt(runs.size());
    lines.add(
        "  runs       %d%s%s"
            .formatted(
                total,
                byState.isEmpty() ? "" : " (" + states + ")",
                total > runs.size() ? ", the " + runs.size() + " most relevant shown" : ""));
    Table attempts =
        Table.of("RUN", "ATTEMPT", "STATE", "WORKER", "BUILD", "HEARTBEAT", "PROGRESS");
    for (JsonNode run : runs) {
      for (JsonNode attempt : run.path("attempts")) {
        if (!"running".equals(attempt.path("state").asText())) {
          continue;
        }
        Long age = Formats.longOrNull(attempt.get("lastHeartbeatAgeMs"));
        attempts.row(
            RunNames.of(run.path("runId").asText()),
            attempt.path("attemptNumber").asText("-"),
            attempt.hasNonNull("stalledForMs")
                ? "stalled " + Formats.millis(attempt.get("stalledForMs").asLong())
                : "running",
            Formats.text(attempt.get("workerId")),
            Formats.shortened(Formats.text(attempt.get("buildSha")), 12),
            age == null ? "-" : Formats.millis(age) + " ago",
            attemptProgress(attempt));
      }
      if (run.hasNonNull("retryDueAttempt")) {
        attempts.row(
            RunNames.of(run.path("runId").asText()),
            run.get("retryDueAttempt").asText(),
            "retry due",
            "-",
            "-",
            "-",
            Formats.text(run.get("retryReason")));
      }
    }
    if (!attempts.isEmpty()) {
      lines.add("  active attempts and retries:");
      attempts.lines().forEach(line -> lines.add("    " + line));
    }
  }

  private static String attemptProgress(JsonNode attempt) {
    if (!attempt.hasNonNull("progressDone")) {
      return "-";
    }
    String text = attempt.get("progressDone").asText();
    if (attempt.hasNonNull("progressTotal")) {
      text += "/" + attempt.get("progressTotal").asText();
    }
    if (attempt.hasNonNull("progressPhase")) {
      text += " " + attempt.get("progressPhase").asText();
    }
    return text;
  }

  private static void timeouts(JsonNode timeouts, List<String> lines) {
    if (timeouts.isEmpty()) {
      return;
    }
    lines.add("  timeouts:");
    for (JsonNode timeout : timeouts) {
      lines.add(
          "    %s attempt %s: %s"
              .formatted(
                  RunNames.of(Formats.text(timeout.get("runId"))),
                  timeout.path("attemptNumber").asText("?"),
                  diagnosis(timeout.path("diagnosis"))));
    }
  }

  private static void errors(JsonNode errors, List<String> lines) {
    if (errors.isEmpty()) {
      return;
    }
    lines.add("  last errors:");
    for (JsonNode error : errors) {
      lines.add(
          "    %s: %s: %s%s"
              .formatted(
                  RunNames.of(Formats.text(error.get("runId"))),
                  Formats.text(error.get("type")),
                  Formats.text(error.get("message")),
                  error.path("retryable").asBoolean(false) ? " (retryable)" : ""));
      String trace = error.path("stackTrace").asText("");
      trace.lines().skip(1).limit(TRACE_LINES).forEach(line -> lines.add("      " + line.strip()));
    }
  }
}
