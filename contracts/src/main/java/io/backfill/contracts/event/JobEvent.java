package io.backfill.contracts.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.backfill.contracts.id.JobId;

/** Facts about jobs, on {@code job.events} keyed by jobId; producers may follow them too. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = JobAccepted.class, name = "JobAccepted"),
  @JsonSubTypes.Type(value = JobRejected.class, name = "JobRejected"),
  @JsonSubTypes.Type(value = JobPaused.class, name = "JobPaused"),
  @JsonSubTypes.Type(value = JobResumed.class, name = "JobResumed"),
  @JsonSubTypes.Type(value = JobCancelled.class, name = "JobCancelled"),
  @JsonSubTypes.Type(value = JobFetchProgress.class, name = "JobFetchProgress"),
  @JsonSubTypes.Type(value = JobCompleted.class, name = "JobCompleted"),
  @JsonSubTypes.Type(value = JobFailed.class, name = "JobFailed"),
  @JsonSubTypes.Type(value = FollowStarted.class, name = "FollowStarted"),
  @JsonSubTypes.Type(value = FollowRoundCompleted.class, name = "FollowRoundCompleted")
})
public sealed interface JobEvent extends Event
    permits JobAccepted,
        JobRejected,
        JobPaused,
        JobResumed,
        JobCancelled,
        JobFetchProgress,
        JobCompleted,
        JobFailed,
        FollowStarted,
        FollowRoundCompleted {

  JobId jobId();

  @JsonIgnore
  default String key() {
    return jobId().value();
  }
}
