package io.backfill.worker.llm;

import io.backfill.contracts.event.LlmOutcome;
import java.util.List;

/** The LLM phase of a chunk: what it did, and the answers it got (one per answered message). */
public record LlmResult(LlmOutcome outcome, List<LlmAnswer> answers) {

  public LlmResult {
    answers = List.copyOf(answers);
  }

  public static LlmResult of(LlmOutcome outcome) {
    return new LlmResult(outcome, List.of());
  }
}
