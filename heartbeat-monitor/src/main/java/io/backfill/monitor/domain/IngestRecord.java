package io.backfill.monitor.domain;

import io.backfill.contracts.event.RunEvent;

/**
 * One record of a {@code run.events} batch: the decoded event, or — when it is not a valid run
 * event — the reason, so it can be dead-lettered with it.
 *
 * @param event the decoded event; null for a poison record
 * @param key the record's key as read
 * @param value the record's value as read
 * @param partition where it was read
 * @param offset where it was read
 * @param poisonReason why it could not be decoded; null when {@code event} is set
 */
public record IngestRecord(
    RunEvent event, String key, String value, int partition, long offset, String poisonReason) {

  public boolean poison() {
    return event == null;
  }

  /** partition@offset and key: where to find the record, even when it could not be decoded. */
  public String coordinates() {
    return partition + "@" + offset + " key " + key;
  }
}
