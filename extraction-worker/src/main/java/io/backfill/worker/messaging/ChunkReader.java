package io.backfill.worker.messaging;

import io.backfill.contracts.event.ChunkCoordinates;
import io.backfill.contracts.topic.Topics;
import io.backfill.kit.kafka.KafkaClients;
import io.backfill.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Re-reads one chunk record by its coordinates for a retry: a plain consumer that assigns itself
 * the partition and seeks to the offset, outside any consumer group, so it never takes partitions
 * from the chunk channel. Retries are rare, so each read has its own short-lived consumer.
 */
@ApplicationScoped
public class ChunkReader {

  private final KafkaClients kafka;
  private final Duration timeout;

  ChunkReader(WorkerConfig config, KafkaClients kafka) {
    this.kafka = kafka;
    this.timeout = config.chunkReadTimeout();
  }

  /** The record's value; throws when it cannot be read within the timeout (or is gone). */
  public String read(ChunkCoordinates at) {
    Map<String, Object> settings =
        Map.of(
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1",
            // One chunk record may be up to 8 MiB, like on the chunk channel.
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                String.valueOf(Topics.CHUNK_MAX_MESSAGE_BYTES));
    TopicPartition partition = new TopicPartition(at.topic(), at.partition());
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, String> consumer =
        kafka.consumer("extraction-worker-chunk-reader", settings)) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, at.offset());
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() == at.offset()) {
            return record.value();
          }
          if (record.offset() > at.offset()) {
            throw new IllegalStateException(
                "chunk record " + describe(at) + " is gone (retention or compaction)");
          }
        }
      }
    }
    throw new IllegalStateException("chunk record " + describe(at) + " not read within " + timeout);
  }

  private static String describe(ChunkCoordinates at) {
    return at.topic() + "-" + at.partition() + "@" + at.offset();
  }
}
