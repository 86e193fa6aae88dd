package io.backfill.contracts.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;

/**
 * What the ledger decides about runs, on {@code run.control} keyed by runId. Published through the
 * monitor's outbox, so a decision and its event are one commit.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RunTimedOut.class, name = "RunTimedOut"),
  @JsonSubTypes.Type(value = RunStalled.class, name = "RunStalled"),
  @JsonSubTypes.Type(value = RetryDue.class, name = "RetryDue"),
  @JsonSubTypes.Type(value = RunExhausted.class, name = "RunExhausted")
})
public sealed interface RunControlEvent extends Event
    permits RunTimedOut, RunStalled, RetryDue, RunExhausted {

  JobId jobId();

  RunId runId();

  @JsonIgnore
  default String key() {
    return runId().value();
  }
}
