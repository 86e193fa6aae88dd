package io.backfill.monitor.messaging;

import io.backfill.monitor.reaper.LedgerCatchUp;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Tells {@link LedgerCatchUp} where the {@code run.events} consumer starts and how far it must read
 * before the reaper may judge again, at start-up and after every rebalance. Runs on the consumer's
 * polling thread, where the consumer may be called.
 */
@ApplicationScoped
@Identifier("run-events-catch-up")
public class RunEventsRebalanceListener implements KafkaConsumerRebalanceListener {

  private static final Logger LOG = Logger.getLogger(RunEventsRebalanceListener.class);

  private final LedgerCatchUp catchUp;

  RunEventsRebalanceListener(LedgerCatchUp catchUp) {
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
    LOG.infof(
        "run.events partitions assigned %s; the reaper waits until it read up to %s",
        positions, ends);
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
