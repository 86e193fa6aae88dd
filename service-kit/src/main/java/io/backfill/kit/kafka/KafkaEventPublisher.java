package io.backfill.kit.kafka;

import io.backfill.contracts.event.Event;
import io.backfill.contracts.serde.EventJson;
import io.backfill.kit.attempt.AttemptPublisher;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A service's one event producer (a {@link KafkaClients#producer} with no linger): every send is
 * acknowledged by all in-sync replicas or fails within the publish timeout. A plain kafka-clients
 * producer rather than a SmallRye emitter, because callers (heartbeats, outbox relays) need the ack
 * or its failure with a deadline, to tell a lost broker from a slow one.
 *
 * <p>A service subclasses it as a bean that names its client and its publish timeout.
 */
public class KafkaEventPublisher implements AttemptPublisher {

  /** The send did not complete: the broker refused it or did not answer in time. */
  public static class PublishFailedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PublishFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * How much longer than the publish timeout a caller waits for the producer's verdict: the
   * producer fails a send itself within the timeout, and its failure says why.
   */
  static final Duration VERDICT_GRACE = Duration.ofSeconds(1);

  private final Producer<String, String> producer;
  private final Duration timeout;

  protected KafkaEventPublisher(KafkaClients kafka, String clientId, Duration timeout) {
    this.producer = kafka.producer(clientId, timeout, 0);
    this.timeout = timeout;
  }

  /** Sends the event and returns once Kafka acknowledged it, or throws PublishFailedException. */
  public void publish(String topic, String key, Event event) {
    publishJson(
        topic,
        key,
        EventJson.toJson(event),
        event.getClass().getSimpleName() + " " + event.eventId());
  }

  /**
   * Sends an event already serialized (an outbox row) and returns once Kafka acknowledged it, or
   * throws PublishFailedException; {@code what} names the event in the failure's message.
   */
  public void publishJson(String topic, String key, String json, String what) {
    String described = what + " to " + topic;
    try {
      sendJson(topic, key, json).get(timeout.plus(VERDICT_GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new PublishFailedException(
          "the broker did not acknowledge " + described + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new PublishFailedException(
          "no acknowledgement for " + described + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishFailedException("interrupted publishing " + described, e);
    }
  }

  /** Sends the event; the future completes when Kafka acknowledged it or failed to. */
  @Override
  public CompletableFuture<Void> send(String topic, String key, Event event) {
    return sendJson(topic, key, EventJson.toJson(event));
  }

  private CompletableFuture<Void> sendJson(String topic, String key, String json) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, key, json),
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

  /** How long one send may wait for its acknowledgement. */
  public Duration timeout() {
    return timeout;
  }

  /** Sends what is buffered and closes the producer, waiting at most five seconds. */
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
