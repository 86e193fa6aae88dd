package io.backfill.worker.messaging;

import io.backfill.kit.kafka.KafkaClients;
import io.backfill.kit.kafka.KafkaEventPublisher;
import io.backfill.worker.config.WorkerConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

/**
 * The worker's one producer, for {@code run.events} and {@code extraction.results}, bounded by
 * {@code backfill.worker.publish-timeout}: heartbeats must fail visibly, not wait for minutes.
 */
@Singleton
public class EventPublisher extends KafkaEventPublisher {

  EventPublisher(KafkaClients kafka, WorkerConfig config) {
    super(kafka, "extraction-worker-events", config.publishTimeout());
  }

  @PreDestroy
  void shutdown() {
    close();
  }
}
