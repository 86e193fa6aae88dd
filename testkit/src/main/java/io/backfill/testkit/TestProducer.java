package io.backfill.testkit;

import io.backfill.contracts.topic.Topics;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A producer for tests: every send waits for the broker's acknowledgement (acks=all). */
public final class TestProducer implements AutoCloseable {

  private static final long ACK_TIMEOUT_SECONDS = 30;

  private final KafkaProducer<String, byte[]> producer;

  public TestProducer(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Topics.CHUNK_MAX_MESSAGE_BYTES));
    // Every send waits for its ack, so batching (linger.ms defaults to 5 in Kafka 4) only delays.
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    this.producer = new KafkaProducer<>(props);
  }

  /** Sends a UTF-8 string value and waits for the acknowledgement. */
  public RecordMetadata send(String topic, String key, String value) {
    return sendRaw(
        topic, key, value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Sends raw bytes (e.g. a deliberately malformed payload) and waits for the acknowledgement. */
  public RecordMetadata sendRaw(String topic, String key, byte[] value) {
    try {
      return producer
          .send(new ProducerRecord<>(topic, key, value))
          .get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Send to " + topic + " failed", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("No acknowledgement from " + topic + " in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted sending to " + topic, e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
