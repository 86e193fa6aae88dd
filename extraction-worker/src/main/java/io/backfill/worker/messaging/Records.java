package io.backfill.worker.messaging;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Message;

/** How a record is named in a log line when it has no tenant or job to name. */
final class Records {

  private Records() {}

  /** Topic, partition, offset and key: enough to find the record. */
  static String describe(Message<?> record) {
    return record
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(
            kafka ->
                String.format(
                    "record %s-%d@%d (key %s)",
                    kafka.getTopic(), kafka.getPartition(), kafka.getOffset(), kafka.getKey()))
        .orElse("a record");
  }
}
