package io.backfill.gateway.persistence;

import java.time.Instant;
import java.util.UUID;

/**
 * What one run or control event says about an attempt, for {@link RunStore#upsertAttempt}: the
 * attempt's identity and the state the event puts it in, and whatever else the event knows. What
 * the event does not know stays null and leaves the stored value as it is.
 */
public final class AttemptFacts {

  final String tenantId;
  final UUID attemptId;
  final UUID jobId;
  final String runId;
  final String lane;
  final String state;
  Integer attemptNumber;
  String workerId;
  String buildSha;
  Long heartbeatIntervalMs;
  Instant startedAt;
  Instant endedAt;
  Long stalledForMs;
  Boolean retryable;
  String errorType;
  String errorMessage;
  String errorStackTrace;
  String timeoutDiagnosis;
  String stopReason;
  String stopDetail;

  /**
   * @param lane the lane's wire name
   * @param state running, stopped, completed, failed or timed_out
   */
  public AttemptFacts(
      String tenantId, UUID attemptId, UUID jobId, String runId, String lane, String state) {
    this.tenantId = tenantId;
    this.attemptId = attemptId;
    this.jobId = jobId;
    this.runId = runId;
    this.lane = lane;
    this.state = state;
  }

  public AttemptFacts attemptNumber(Integer number) {
    this.attemptNumber = number;
    return this;
  }

  public AttemptFacts worker(String workerId) {
    this.workerId = workerId;
    return this;
  }

  public AttemptFacts build(String buildSha) {
    this.buildSha = buildSha;
    return this;
  }

  public AttemptFacts heartbeatIntervalMs(Long intervalMs) {
    this.heartbeatIntervalMs = intervalMs;
    return this;
  }

  public AttemptFacts startedAt(Instant at) {
    this.startedAt = at;
    return this;
  }

  public AttemptFacts endedAt(Instant at) {
    this.endedAt = at;
    return this;
  }

  public AttemptFacts stalledForMs(Long stalledMs) {
    this.stalledForMs = stalledMs;
    return this;
  }

  public AttemptFacts retryable(Boolean retryable) {
    this.retryable = retryable;
    return this;
  }

  public AttemptFacts error(String type, String message, String stackTrace) {
    this.errorType = type;
    this.errorMessage = message;
    this.errorStackTrace = stackTrace;
    return this;
  }

  /** The ledger's timeout diagnosis as JSON. */
  public AttemptFacts timeoutDiagnosis(String json) {
    this.timeoutDiagnosis = json;
    return this;
  }

  public AttemptFacts stop(String reason, String detail) {
    this.stopReason = reason;
    this.stopDetail = detail;
    return this;
  }
}
