package io.backfill.gateway.messaging;

import io.backfill.gateway.config.GatewayConfig;
import io.backfill.kit.kafka.KafkaClients;
import io.backfill.kit.kafka.KafkaEventPublisher;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

/**
 * The gateway's one producer, for {@code backfill.requests} and {@code backfill.commands}, used by
 * the outbox relay: a row is deleted only once its record is acknowledged, within {@code
 * backfill.gateway.submit.publish-timeout}.
 */
@Singleton
public class EventPublisher extends KafkaEventPublisher {

  EventPublisher(KafkaClients kafka, GatewayConfig config) {
    super(kafka, "api-gateway-publisher", config.submit().publishTimeout());
  }

  @PreDestroy
  void shutdown() {
    close();
  }
}
