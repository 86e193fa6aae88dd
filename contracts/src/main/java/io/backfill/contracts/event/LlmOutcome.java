package io.backfill.contracts.event;

/** What the LLM phase of a chunk did: calls made, how many were repaired or failed, and why. */
public record LlmOutcome(
    LlmStatus status,
    int calls,
    int repaired,
    int fallbacks,
    int failures,
    @OptionalField String reason) {

  public LlmOutcome {
    Require.present(status, "status");
    Require.notNegative(calls, "calls");
    Require.notNegative(repaired, "repaired");
    Require.notNegative(fallbacks, "fallbacks");
    Require.notNegative(failures, "failures");
  }

  public static LlmOutcome skippedNoKey() {
    return new LlmOutcome(LlmStatus.SKIPPED_NO_KEY, 0, 0, 0, 0, "tenant has no LLM key");
  }
}
