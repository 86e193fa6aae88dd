package io.backfill.cli.watch;

import com.fasterxml.jackson.databind.JsonNode;
import io.backfill.cli.format.Formats;
import io.backfill.cli.format.RunNames;
import io.backfill.cli.format.StatusReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changed between two reads of a job's status that someone watching should see as a line of
 * its own: a status change, a timeout with its diagnosis, a retry falling due or starting, a
 * failure, a stall, a run given up on. Each is reported once, however often the status is read.
 */
final class NotableEvents {

  private String status;
  private final Set<String> timeouts = new HashSet<>();
  private final Map<String, Integer> retriesDue = new HashMap<>();
  private final Set<String> retriesStarted = new HashSet<>();
  private final Set<String> failures = new HashSet<>();
  private final Set<String> stalls = new HashSet<>();
  private final Set<String> exhausted = new HashSet<>();

  /** A status seen on the event stream: a line if it differs from the last one seen. */
  List<String> status(String newStatus, String reason) {
    if (newStatus == null || newStatus.equals(status)) {
      return List.of();
    }
    String previous = status;
    status = newStatus;
    if (previous == null) {
      return List.of();
    }
    return List.of(
        "status: " + previous + " -> " + newStatus + (reason == null ? "" : " (" + reason + ")"));
  }

  /** The lines for everything in {@code job} (a full status) not reported before. */
  List<String> diff(JsonNode job) {
    List<String> lines = new ArrayList<>();
    String reason = job.hasNonNull("reason") ? job.get("reason").asText() : null;
    lines.addAll(status(job.path("status").asText(null), reason));
    for (JsonNode timeout : job.path("timeouts")) {
      if (timeouts.add(timeout.path("attemptId").asText())) {
        lines.add(
            "timeout: %s attempt %s, %s"
                .formatted(
                    RunNames.of(timeout.path("runId").asText()),
                    timeout.path("attemptNumber").asText("?"),
                    StatusReport.diagnosis(timeout.path("diagnosis"))));
      }
    }
    for (JsonNode error : job.path("lastErrors")) {
      String key = error.path("attemptId").asText() + "/" + error.path("type").asText();
      if (failures.add(key)) {
        lines.add(
            "failed: %s: %s: %s%s"
                .formatted(
                    RunNames.of(error.path("runId").asText()),
                    Formats.text(error.get("type")),
                    Formats.text(error.get("message")),
                    error.path("retryable").asBoolean(false) ? " (retryable)" : ""));
      }
    }
    for (JsonNode run : job.path("runs")) {
      runLines(run, lines);
    }
    return lines;
  }

  private void runLines(JsonNode run, List<String> lines) {
    String runId = run.path("runId").asText();
    String name = RunNames.of(runId);
    if (run.hasNonNull("retryDueAttempt")) {
      int attempt = run.get("retryDueAttempt").asInt();
      if (!Objects.equals(retriesDue.put(runId, attempt), attempt)) {
        lines.add(
            "retry: %s attempt %d due%s"
                .formatted(
                    name,
                    attempt,
                    run.hasNonNull("retryReason")
                        ? " (" + run.get("retryReason").asText() + ")"
                        : ""));
      }
    }
    int index = 0;
    for (JsonNode attempt : run.path("attempts")) {
      String attemptId = attempt.path("attemptId").asText();
      index++;
      // Oldest first: any attempt after the first is a retry, numbered by the ledger or not yet.
      int number = Math.max(index, attempt.path("attemptNumber").asInt(1));
      if (number > 1 && retriesStarted.add(attemptId)) {
        lines.add(
            "retry: %s attempt %d started on %s"
                .formatted(name, number, Formats.text(attempt.get("workerId"))));
      }
      if (attempt.hasNonNull("stalledForMs") && stalls.add(attemptId)) {
        lines.add(
            "stalled: %s attempt %d on %s, no progress for %s"
                .formatted(
                    name,
                    number,
                    Formats.text(attempt.get("workerId")),
                    Formats.millis(attempt.get("stalledForMs").asLong())));
      }
    }
    if ("exhausted".equals(run.path("state").asText()) && exhausted.add(runId)) {
      lines.add("gave up: " + name + " after " + run.path("attempts").size() + " attempts");
    }
  }
}
