package io.backfill.cli;

import io.backfill.contracts.event.BackfillRequestEvent;
import io.backfill.contracts.event.Event;
import io.backfill.contracts.serde.EventSerializer;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes one request with a short-lived producer and waits for the broker's acknowledgement, all
 * within one deadline: a CLI must answer, not retry forever against a broker that is down.
 */
final class RequestPublisher {

  /** After an ack nothing is buffered, so closing is quick; this only bounds a slow broker. */
  private static final Duration CLOSE_AFTER_ACK = Duration.ofSeconds(5);

  private static final TimeUnit NANOS = TimeUnit.NANOSECONDS;

  private final String bootstrapServers;
  private final Duration timeout;

  RequestPublisher(String bootstrapServers, Duration timeout) {
    this.bootstrapServers = bootstrapServers;
    this.timeout = timeout;
  }

  /** Sends {@code event} keyed by {@link BackfillRequestEvent#key()} and waits for the ack. */
  Delivery publish(String topic, BackfillRequestEvent event) throws PublishFailedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    KafkaProducer<String, Event> producer = open(topic);
    boolean acknowledged = false;
    try {
      Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(topic, event.key(), event));
      RecordMetadata metadata = ack.get(Math.max(0, deadline - System.nanoTime()), NANOS);
      acknowledged = true;
      return new Delivery(metadata.topic(), metadata.partition(), metadata.offset());
    } catch (ExecutionException e) {
      throw failed(topic, e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      throw new PublishFailedException(
          "no acknowledgement from Kafka at %s for topic '%s' within %s"
              .formatted(bootstrapServers, topic, DurationConverter.format(timeout)),
          e);
    } catch (KafkaException e) {
      // send() itself throws for some failures instead of failing the future.
      throw failed(topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishFailedException("interrupted while waiting for Kafka's acknowledgement", e);
    } finally {
      // Unacknowledged: drop the buffered record now instead of retrying it behind the user's back.
      producer.close(acknowledged ? CLOSE_AFTER_ACK : Duration.ZERO);
    }
  }

  private KafkaProducer<String, Event> open(String topic) throws PublishFailedException {
    try {
      return new KafkaProducer<>(config(), new StringSerializer(), new EventSerializer());
    } catch (KafkaException e) {
      // e.g. no bootstrap address resolves
      throw new PublishFailedException(
          "cannot connect to Kafka at %s to publish to topic '%s' (%s)"
              .formatted(bootstrapServers, topic, rootMessage(e)),
          e);
    }
  }

  private Properties config() {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "backfill-cli");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    // Each bound is the whole budget; publish() also waits for the ack only until the deadline.
    // delivery.timeout.ms must be >= linger.ms + request.timeout.ms.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(millis));
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(millis));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(millis));
    return props;
  }

  private PublishFailedException failed(String topic, Throwable cause) {
    String why =
        cause instanceof org.apache.kafka.common.errors.TimeoutException
            ? "the broker is unreachable or the topic does not exist"
            : "the record was not accepted";
    return new PublishFailedException(
        "could not publish to topic '%s' at %s: %s (%s)"
            .formatted(topic, bootstrapServers, why, rootMessage(cause)),
        cause);
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
