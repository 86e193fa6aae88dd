package io.backfill.worker.llm;

import io.backfill.contracts.event.Chunk;
import io.backfill.contracts.event.LlmOutcome;
import io.backfill.contracts.event.LlmStatus;
import io.backfill.contracts.security.SecretRedaction;
import io.backfill.worker.domain.ChunkMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Sums a chunk's message results up into its LLM outcome: OK, RECOVERED (answers repaired or from
 * the fallback), PARTIAL or FAILED, with a redacted reason that counts the failures by kind and
 * shows the first; a chunk with failures is one warning line.
 */
final class PhaseSummary {

  // Logged as the LLM phase, so its one log category keeps covering every line of the phase.
  private static final Logger LOG = Logger.getLogger(OpenAiLlmExtractor.class);

  private PhaseSummary() {}

  static LlmResult of(Chunk chunk, int calls, List<MessageResult> results, ChunkMetrics metrics) {
    List<LlmAnswer> answers = new ArrayList<>();
    Map<String, Integer> failures = new TreeMap<>();
    String firstDetail = null;
    int repaired = 0;
    int fallbacks = 0;
    for (MessageResult result : results) {
      if (result.answer() != null) {
        answers.add(result.answer());
        repaired += result.repaired() ? 1 : 0;
        fallbacks += result.fallback() ? 1 : 0;
      } else {
        failures.merge(result.reason(), 1, Integer::sum);
        if (result.reason().equals("deadline")) {
          metrics.llmCall("deadline");
        }
        if (firstDetail == null) {
          firstDetail = result.reason() + ": " + result.detail();
        }
      }
    }
    int failed = results.size() - answers.size();
    LlmStatus status;
    if (failed == 0) {
      status = repaired == 0 && fallbacks == 0 ? LlmStatus.OK : LlmStatus.RECOVERED;
    } else {
      status = answers.isEmpty() ? LlmStatus.FAILED : LlmStatus.PARTIAL;
    }
    String reason = null;
    if (failed > 0) {
      reason =
          failed
              + " of "
              + results.size()
              + " messages unanswered ("
              + failures.entrySet().stream()
                  .map(e -> e.getKey() + " " + e.getValue())
                  .collect(Collectors.joining(", "))
              + "); first: "
              + firstDetail;
      // Every detail is redacted where it is made; once more here, as this text leaves the worker.
      reason = SecretRedaction.redact(reason);
      // One line per chunk, on the attempt's thread (its ids in the MDC).
      LOG.warnf(
          "LLM phase of tenant %s, job %s, run %s %s: %s",
          chunk.tenantId(), chunk.jobId(), chunk.runId(), status, reason);
    } else if (status == LlmStatus.RECOVERED) {
      reason = repaired + " answers repaired, " + fallbacks + " from the fallback model";
    }
    return new LlmResult(
        new LlmOutcome(status, calls, repaired, fallbacks, failed, reason), answers);
  }
}
