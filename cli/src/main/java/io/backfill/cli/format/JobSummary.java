package io.backfill.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * What a job did, from its final status: messages, chunks, what extraction wrote, LLM outcomes,
 * timeouts, retries, how long it took and how fast. The demo's table and the end of {@code watch}.
 *
 * @param retries attempts after the first, over the runs the status lists (at most 50, the active
 *     and failed ones first)
 * @param duration from the job's creation to its last update, as the gateway recorded them
 */
public record JobSummary(
    String jobId,
    String status,
    long messages,
    long chunks,
    long failedChunks,
    long entities,
    long relationships,
    long embeddings,
    String llmOutcomes,
    int timeouts,
    int retries,
    Duration duration) {

  public static JobSummary of(JsonNode status) {
    JsonNode progress = status.path("progress");
    JsonNode counts = status.path("counts");
    int retries = 0;
    for (JsonNode run : status.path("runs")) {
      // The ledger numbers attempts; where the gateway has no number yet, counting them is enough.
      int highest = run.path("attempts").size();
      for (JsonNode attempt : run.path("attempts")) {
        highest = Math.max(highest, attempt.path("attemptNumber").asInt(1));
      }
      retries += Math.max(0, highest - 1);
    }
    return new JobSummary(
        status.path("jobId").asText(),
        status.path("status").asText(),
        progress.path("messagesExtracted").asLong(),
        progress.hasNonNull("chunks")
            ? progress.get("chunks").asLong()
            : progress.path("chunksKnown").asLong(),
        progress.path("failedChunks").asLong(0),
        counts.path("entities").asLong(),
        counts.path("relationships").asLong(),
        counts.path("embeddings").asLong(),
        StatusReport.llmOutcomes(counts.path("llmOutcomes")),
        status.path("timeouts").size(),
        retries,
        between(status.get("createdAt"), status.get("updatedAt")));
  }

  /** Extracted messages per second over the job's duration. */
  public String throughput() {
    return Formats.rate(messages, duration) + " messages";
  }

  /** The summary as a two-column table. */
  public List<String> table() {
    return Table.of("WHAT", "VALUE")
        .row("status", status)
        .row("messages", Formats.count(messages))
        .row(
            "chunks",
            Formats.count(chunks) + (failedChunks > 0 ? " (" + failedChunks + " failed)" : ""))
        .row("entities", Formats.count(entities))
        .row("relationships", Formats.count(relationships))
        .row("embeddings", Formats.count(embeddings))
        .row("LLM outcomes (chunks)", llmOutcomes)
        .row("timeouts", Formats.count(timeouts))
        .row("retries", Formats.count(retries))
        .row("duration", Formats.duration(duration))
        .row("throughput", throughput())
        .lines();
  }

  /** One line: {@code completed in 1 min 05 s: 5,000 messages in 50 chunks, …}. */
  public String line() {
    return "%s in %s: %s messages in %s chunks%s, %s entities, %s relationships, %s embeddings,"
            .formatted(
                status,
                Formats.duration(duration),
                Formats.count(messages),
                Formats.count(chunks),
                failedChunks > 0 ? " (" + failedChunks + " failed)" : "",
                Formats.count(entities),
                Formats.count(relationships),
                Formats.count(embeddings))
        + " llm %s, %d timeouts, %d retries, %s"
            .formatted(llmOutcomes, timeouts, retries, throughput());
  }

  private static Duration between(JsonNode from, JsonNode to) {
    try {
      if (from == null || to == null || from.isNull() || to.isNull()) {
        return Duration.ZERO;
      }
      return Duration.between(Instant.parse(from.asText()), Instant.parse(to.asText()));
    } catch (DateTimeParseException e) {
      return Duration.ZERO;
    }
  }
}
