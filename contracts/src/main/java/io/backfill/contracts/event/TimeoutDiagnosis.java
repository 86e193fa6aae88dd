package io.backfill.contracts.event;

import io.backfill.contracts.id.Lane;

/**
 * Why the ledger timed an attempt out, measured with the ledger's clock. Enough to tell a dead
 * worker from a slow one without reading logs.
 */
public record TimeoutDiagnosis(
    String rule,
    Lane lane,
    @OptionalField Long heartbeatAgeMs,
    long attemptAgeMs,
    @OptionalField Long staleAfterMs,
    @OptionalField Progress lastProgress,
    @OptionalField String workerId,
    @OptionalField String buildSha) {

  /** No heartbeat within staleAfter. */
  public static final String RULE_STALE = "stale";

  /** Ran past the lane's hard deadline. */
  public static final String RULE_DEADLINE = "deadline";

  /** Heartbeats arrived but progress stood still for the lane's stallAfter. */
  public static final String RULE_STALLED = "stalled";

  public TimeoutDiagnosis {
    Require.text(rule, "rule");
    Require.present(lane, "lane");
    Require.notNegative(attemptAgeMs, "attemptAgeMs");
  }
}
