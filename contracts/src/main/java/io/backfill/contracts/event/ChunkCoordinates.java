package io.backfill.contracts.event;

/** Where a chunk record lives in Kafka, so a retry can re-read exactly that record. */
public record ChunkCoordinates(String topic, int partition, long offset) {

  public ChunkCoordinates {
    Require.text(topic, "topic");
    Require.notNegative(partition, "partition");
    Require.notNegative(offset, "offset");
  }
}
