package io.backfill.contracts.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.backfill.contracts.id.AttemptId;
import io.backfill.contracts.id.JobId;
import io.backfill.contracts.id.RunId;

/**
 * What executors say about their attempts, on {@code run.events} keyed by runId, so one run's
 * events stay in order on one partition.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RunStarted.class, name = "RunStarted"),
  @JsonSubTypes.Type(value = RunHeartbeat.class, name = "RunHeartbeat"),
  @JsonSubTypes.Type(value = RunCompleted.class, name = "RunCompleted"),
  @JsonSubTypes.Type(value = RunFailed.class, name = "RunFailed"),
  @JsonSubTypes.Type(value = RunStopped.class, name = "RunStopped")
})
public sealed interface RunEvent extends Event
    permits RunStarted, RunHeartbeat, RunCompleted, RunFailed, RunStopped {

  JobId jobId();

  RunId runId();

  AttemptId attemptId();

  String workerId();

  @JsonIgnore
  default String key() {
    return runId().value();
  }
}
