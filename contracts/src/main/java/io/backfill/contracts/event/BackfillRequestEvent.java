package io.backfill.contracts.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Events of {@code backfill.requests}: keyed by {@code tenantId/mailbox}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = BackfillRequested.class, name = "BackfillRequested")})
public sealed interface BackfillRequestEvent extends Event permits BackfillRequested {

  /** Requests of one mailbox stay in order on one partition. */
  @JsonIgnore
  String key();
}
