package io.backfill.contracts.event;

import java.time.Instant;
import java.util.UUID;

/**
 * What every event on every Backfill topic carries. Consumers are idempotent on {@link #eventId()}
 * or on the natural keys of the event.
 */
public interface Event {

  /** Unique per event; a redelivered record carries the same id. */
  UUID eventId();

  /** Version of the event's shape; readers accept their own version and older ones. */
  int schemaVersion();

  /** When the producer says the fact happened (its clock, never used for staleness). */
  Instant occurredAt();

  /** The tenant the event belongs to; every read and write is scoped by it. */
  String tenantId();
}
