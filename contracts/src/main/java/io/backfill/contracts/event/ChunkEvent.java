package io.backfill.contracts.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Records of {@code backfill.chunks}, keyed by runId. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Chunk.class, name = "Chunk")})
public sealed interface ChunkEvent extends Event permits Chunk {

  @JsonIgnore
  String key();
}
