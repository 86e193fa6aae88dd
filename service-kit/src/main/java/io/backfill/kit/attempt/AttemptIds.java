package io.backfill.kit.attempt;

import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;

/** The ids every line about an attempt carries: tenant, job, run and attempt. */
public record AttemptIds(String tenantId, JobId jobId, RunId runId, AttemptId attemptId) {

  public AttemptIds {
    if (tenantId == null || jobId == null || runId == null || attemptId == null) {
      throw new IllegalArgumentException("tenantId, jobId, runId and attemptId are required");
    }
    if (!runId.jobId().equals(jobId)) {
      throw new IllegalArgumentException("run " + runId + " is not of job " + jobId);
    }
  }

  /** A new attempt of the run. */
  public static AttemptIds newAttempt(String tenantId, RunId runId) {
    return new AttemptIds(tenantId, runId.jobId(), runId, AttemptId.random());
  }

  /** The ids for log lines written where the MDC is not set (Kafka callbacks, other threads). */
  public String describe() {
    return String.format(
        "attempt %s of run %s (tenant %s, job %s)", attemptId, runId, tenantId, jobId);
  }
}
