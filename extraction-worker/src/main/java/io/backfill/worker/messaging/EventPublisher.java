package io.backfill.worker.messaging;

import io.backfill.contracts.event.Event;
import io.backfill.contracts.serde.EventJson;
import io.backfill.kit.attempt.AttemptPublisher;
import io.backfill.worker.config.WorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The worker's one producer, for {@code run.events} and {@code extraction.results}: acks=all and
 * idempotent, so an acknowledged event is on every in-sync replica and a producer retry never
 * duplicates or reorders a run's events. A plain kafka-clients producer, because heartbeats need
 * bounded send and delivery timeouts to tell a lost broker from a slow one.
 */
@ApplicationScoped
public class EventPublisher implements AttemptPublisher {

  private final KafkaProducer<String, String> producer;
  private final Duration timeout;

  EventPublisher(
      WorkerConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String servers) {
    this.timeout = config.publishTimeout();
    long timeoutMs = timeout.toMillis();
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "extraction-worker-events");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // Each send is awaited (or its ack observed) on its own: batching would only delay it.
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    // A send fails within the publish timeout, whether the broker is unknown (metadata, max.block)
    // or does not answer (delivery): a heartbeat must fail visibly, not wait for minutes.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeoutMs));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(1, timeoutMs - 1)));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    this.producer = new KafkaProducer<>(props);
  }

  void close(@Observes ShutdownEvent shutdown) {
    producer.close(Duration.ofSeconds(5));
  }

  /** Sends the event and returns once Kafka acknowledged it; throws when it did not in time. */
  public void publish(String topic, String key, Event event) {
    try {
      send(topic, key, event).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          event.getClass().getSimpleName() + " to " + topic + " not acknowledged", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          event.getClass().getSimpleName() + " to " + topic + " not acknowledged in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending to " + topic, e);
    }
  }

  /** Sends the event; the future completes when Kafka acknowledged it or failed to. */
  @Override
  public CompletableFuture<Void> send(String topic, String key, Event event) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, key, EventJson.toJson(event)),
          (metadata, failure) -> {
            if (failure == null) {
              acked.complete(null);
            } else {
              acked.completeExceptionally(failure);
            }
          });
    } catch (RuntimeException e) {
      // send() itself throws when the broker's metadata does not arrive within max.block.ms.
      acked.completeExceptionally(e);
    }
    return acked;
  }
}
