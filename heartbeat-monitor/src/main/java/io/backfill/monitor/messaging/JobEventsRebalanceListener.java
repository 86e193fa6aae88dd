package io.backfill.monitor.messaging;

import io.backfill.monitor.lifecycle.JobEventsCatchUp;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells {@link JobEventsCatchUp} how far the {@code job.events} consumer must read after each
 * assignment before the orphan check may trust the jobs' states. Runs on the polling thread.
 */
@ApplicationScoped
@Identifier("job-events-catch-up")
public class JobEventsRebalanceListener implements KafkaConsumerRebalanceListener {

  private final JobEventsCatchUp catchUp;

  JobEventsRebalanceListener(JobEventsCatchUp catchUp) {
    this.catchUp = catchUp;
  }

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    Map<Integer, Long> positions = new HashMap<>();
    Map<Integer, Long> ends = new HashMap<>();
    consumer.endOffsets(partitions).forEach((tp, end) -> ends.put(tp.partition(), end));
    for (TopicPartition partition : partitions) {
      positions.put(partition.partition(), consumer.position(partition));
    }
    catchUp.assigned(positions, ends);
  }

  @Override
  public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    catchUp.revoked(partitions.stream().map(TopicPartition::partition).toList());
  }

  @Override
  public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    catchUp.revoked(partitions.stream().map(TopicPartition::partition).toList());
  }
}
