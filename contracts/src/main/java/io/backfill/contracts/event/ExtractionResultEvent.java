package io.backfill.contracts.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.backfill.contracts.id.JobId;

/** What workers extracted, on {@code extraction.results} keyed by jobId. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ChunkExtracted.class, name = "ChunkExtracted")})
public sealed interface ExtractionResultEvent extends Event permits ChunkExtracted {

  JobId jobId();

  @JsonIgnore
  default String key() {
    return jobId().value();
  }
}
