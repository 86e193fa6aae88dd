package io.backfill.gateway.messaging;

import io.backfill.contracts.event.Event;
import io.backfill.contracts.serde.EventJson;
import io.backfill.gateway.config.GatewayConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway's one Kafka producer, for {@code backfill.requests} and {@code backfill.commands},
 * used by the outbox relay. Every send waits for the broker's acknowledgement (acks=all,
 * idempotent) up to the configured publish timeout, so the relay deletes a row only once its record
 * is on the topic. A plain producer rather than a SmallRye emitter: the relay needs the ack or its
 * failure synchronously, with a deadline, before it moves on to the key's next row.
 */
@ApplicationScoped
public class EventPublisher {

  /** The send did not complete: the broker refused it or did not answer in time. */
  public static class PublishFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PublishFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final KafkaProducer<String, String> producer;
  private final Duration timeout;

  EventPublisher(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      GatewayConfig config) {
    this.timeout = config.submit().publishTimeout();
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "api-gateway-publisher");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    // Each send is awaited by a caller: batching would only add latency.
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    // Neither metadata waits nor retries may outlast what the caller waits for.
    long timeoutMs = timeout.toMillis();
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeoutMs));
    props.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(1000, timeoutMs / 2)));
    props.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        String.valueOf(Math.max(timeoutMs, 1000 + Math.max(1000, timeoutMs / 2))));
    this.producer = new KafkaProducer<>(props);
  }

  /** Publishes and waits for the acknowledgement, or throws {@link PublishFailedException}. */
  public void publish(String topic, String key, Event event) {
    publishJson(
        topic,
        key,
        EventJson.toJson(event),
        event.getClass().getSimpleName() + " " + event.eventId());
  }

  /**
   * Publishes an event already serialized (an outbox row) and waits for the acknowledgement, or
   * throws {@link PublishFailedException}; {@code what} names the event in the failure's message.
   */
  public void publishJson(String topic, String key, String json, String what) {
    String described = what + " to " + topic;
    try {
      producer
          .send(new ProducerRecord<>(topic, key, json))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new PublishFailedException(
          "the broker refused " + described + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new PublishFailedException(
          "no acknowledgement for " + described + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishFailedException("interrupted publishing " + described, e);
    } catch (RuntimeException e) {
      // send() itself throws when metadata is not available within max.block.ms.
      throw new PublishFailedException("could not publish " + described + ": " + e, e);
    }
  }

  /** How long one send may wait for its acknowledgement. */
  public Duration timeout() {
    return timeout;
  }

  @PreDestroy
  void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
