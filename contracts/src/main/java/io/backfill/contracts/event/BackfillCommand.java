package io.backfill.contracts.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.backfill.contracts.id.JobId;

/** Commands of {@code backfill.commands}, keyed by jobId so a job's commands stay in order. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = PauseJob.class, name = "PauseJob"),
  @JsonSubTypes.Type(value = ResumeJob.class, name = "ResumeJob"),
  @JsonSubTypes.Type(value = CancelJob.class, name = "CancelJob"),
  @JsonSubTypes.Type(value = FollowJob.class, name = "FollowJob")
})
public sealed interface BackfillCommand extends Event
    permits PauseJob, ResumeJob, CancelJob, FollowJob {

  JobId jobId();

  @JsonIgnore
  default String key() {
    return jobId().value();
  }
}
